//! A deal as typed, parsed into one that can be stored; and a stage move, judged.

use super::{Amount, Stage};
use crate::error::{FieldError, FieldErrors};
use chrono::NaiveDate;
use serde::Serialize;

/// Longest title, in characters.
const MAX_TITLE: usize = 200;
/// Longest lost reason, in characters.
const MAX_REASON: usize = 500;

/// A new deal as typed in the form or sent to the API; every field raw.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DealInput {
    /// What is being sold (`2027 年度设备维保`).
    pub title: Option<String>,
    /// Yuan, up to two decimals.
    pub amount: Option<String>,
    /// An open stage's code; `contact` when blank.
    pub stage: Option<String>,
    /// `YYYY-MM-DD`.
    pub expected_close_date: Option<String>,
}

/// A valid new deal, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeal {
    /// Trimmed, spaces squashed.
    pub title: String,
    /// The amount, if known.
    pub amount: Option<Amount>,
    /// An open stage.
    pub stage: Stage,
    /// When it is expected to close.
    pub expected_close_date: Option<NaiveDate>,
}

impl NewDeal {
    /// Validates every field at once. A deal starts open: it is won or lost by a stage move,
    /// which records who closed it and why.
    pub fn parse(input: &DealInput) -> Result<NewDeal, FieldErrors> {
        let mut errs = FieldErrors::default();
        let title = errs.collect(title(input.title.as_deref()));
        let amount = errs.collect(match blank(input.amount.as_deref()) {
            None => Ok(None),
            Some(s) => Amount::parse("amount", s).map(Some),
        });
        let stage = errs.collect(match blank(input.stage.as_deref()) {
            None => Ok(Stage::Contact),
            Some(s) => Stage::parse("stage", s).and_then(|s| {
                if s.is_open() {
                    Ok(s)
                } else {
                    Err(FieldError::new("stage", "stage_not_open"))
                }
            }),
        });
        let date = errs.collect(match blank(input.expected_close_date.as_deref()) {
            None => Ok(None),
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| FieldError::new("expected_close_date", "date_invalid")),
        });
        match (title, amount, stage, date) {
            (Some(title), Some(amount), Some(stage), Some(expected_close_date))
                if errs.0.is_empty() =>
            {
                Ok(NewDeal {
                    title,
                    amount,
                    stage,
                    expected_close_date,
                })
            }
            _ => Err(errs),
        }
    }
}

/// A stage move as typed; every field raw.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct StageInput {
    /// The target stage's code.
    pub stage: Option<String>,
    /// Why it was lost; required for `lost`, refused otherwise.
    pub lost_reason: Option<String>,
}

/// How a move relates to the stage order, so skips and backward moves are visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// To the next open stage.
    Next,
    /// Forward past at least one open stage.
    Skip,
    /// Back to an earlier stage.
    Back,
    /// Won or lost.
    Close,
}

/// A judged stage move, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageMove {
    /// The stage it left.
    pub from: Stage,
    /// The stage it entered.
    pub to: Stage,
    /// Why it was lost (only for `Lost`).
    pub lost_reason: Option<String>,
}

impl StageMove {
    /// Next, skip, back or close.
    pub fn step(&self) -> Step {
        step(self.from, self.to)
    }
}

/// How a move from `from` to `to` relates to the stage order.
pub fn step(from: Stage, to: Stage) -> Step {
    if !to.is_open() {
        Step::Close
    } else if to < from {
        Step::Back
    } else if to as u8 == from as u8 + 1 {
        Step::Next
    } else {
        Step::Skip
    }
}

/// Judges a move of a deal now in `current`. An open deal may move to any other stage
/// (forward, skipping, back, won, lost); a won or lost deal is closed for good.
pub fn move_stage(current: Stage, input: &StageInput) -> Result<StageMove, FieldErrors> {
    let to = Stage::parse("stage", blank(input.stage.as_deref()).unwrap_or(""))?;
    if !current.is_open() {
        return Err(FieldError::new("stage", "deal_closed").into());
    }
    if to == current {
        return Err(FieldError::new("stage", "stage_unchanged").into());
    }
    let reason = blank(input.lost_reason.as_deref()).map(crate::text::squash_spaces);
    let lost_reason = match (to, reason) {
        (Stage::Lost, None) => return Err(FieldError::new("lost_reason", "required").into()),
        (Stage::Lost, Some(r)) if r.chars().count() > MAX_REASON => {
            return Err(FieldError::new("lost_reason", "too_long").into());
        }
        (Stage::Lost, Some(r)) => Some(r),
        (_, Some(_)) => return Err(FieldError::new("lost_reason", "only_when_lost").into()),
        (_, None) => None,
    };
    Ok(StageMove {
        from: current,
        to,
        lost_reason,
    })
}

fn blank(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

fn title(raw: Option<&str>) -> Result<String, FieldError> {
    let s = blank(raw)
        .map(crate::text::squash_spaces)
        .ok_or_else(|| FieldError::new("title", "required"))?;
    if s.chars().count() > MAX_TITLE {
        return Err(FieldError::new("title", "too_long"));
    }
    Ok(s)
}
