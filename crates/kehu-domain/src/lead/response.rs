//! Response windows (黄金响应窗口): per lead source, how long a rep has from assignment to
//! the first logged contact, and the escalation ladder (升级) that runs while nobody has
//! answered. Pure: the job passes in the lead's clock and the instant.

use crate::error::{FieldError, FieldErrors};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Longest window or step offset: one week, in minutes.
pub const MINUTES_MAX: u32 = 7 * 24 * 60;
/// Latest step: two weeks after the assignment, in minutes.
pub const STEP_MINUTES_MAX: u32 = 2 * MINUTES_MAX;
/// Most steps in one ladder.
pub const STEPS_MAX: usize = 10;
/// How long after the breach the standard ladder reassigns.
pub const STANDARD_REASSIGN_AFTER: u32 = 30;

/// What one step of the ladder does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    /// Remind the assigned rep.
    RemindRep,
    /// Tell the rep's manager that the window was missed.
    NotifyManager,
    /// Give the lead to the next candidate, never to a rep who missed it before. A lead of
    /// an owned customer stays with its owner (the manager is told instead).
    Reassign,
}

impl StepAction {
    /// Stable code (locale key suffix, event kind).
    pub fn code(self) -> &'static str {
        match self {
            Self::RemindRep => "remind_rep",
            Self::NotifyManager => "notify_manager",
            Self::Reassign => "reassign",
        }
    }
}

/// One step: `action` at `after_minutes` from the assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderStep {
    /// Minutes from the assignment.
    pub after_minutes: u32,
    /// What happens then.
    pub action: StepAction,
}

/// A source's response window and its escalation ladder, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseWindow {
    /// Minutes from assignment to the breach.
    pub minutes: u32,
    /// The steps, in time order.
    pub ladder: Vec<LadderStep>,
}

/// A response window as an admin sends it; `ladder` defaults to [`ResponseWindow::standard`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseWindowInput {
    /// Minutes from assignment to the breach.
    pub minutes: u32,
    /// The steps; omitted: remind at half time, tell the manager at the breach, reassign
    /// 30 minutes after it.
    #[serde(default)]
    pub ladder: Option<Vec<LadderStep>>,
}

impl ResponseWindow {
    /// The usual ladder: remind the rep at half time, tell the manager at the breach,
    /// reassign [`STANDARD_REASSIGN_AFTER`] minutes after it.
    pub fn standard(minutes: u32) -> ResponseWindow {
        let mut ladder = Vec::new();
        if minutes >= 2 {
            ladder.push(LadderStep {
                after_minutes: minutes / 2,
                action: StepAction::RemindRep,
            });
        }
        ladder.push(LadderStep {
            after_minutes: minutes,
            action: StepAction::NotifyManager,
        });
        ladder.push(LadderStep {
            after_minutes: minutes + STANDARD_REASSIGN_AFTER,
            action: StepAction::Reassign,
        });
        ResponseWindow { minutes, ladder }
    }

    /// Checks `input`, naming every bad field (`minutes`, `ladder[2].after_minutes`).
    pub fn parse(input: &ResponseWindowInput) -> Result<ResponseWindow, FieldErrors> {
        let mut errs = FieldErrors::default();
        if !(1..=MINUTES_MAX).contains(&input.minutes) {
            errs.0
                .push(FieldError::new("minutes", "window_minutes_range"));
            return Err(errs);
        }
        let Some(ladder) = &input.ladder else {
            return Ok(ResponseWindow::standard(input.minutes));
        };
        if ladder.len() > STEPS_MAX {
            errs.0.push(FieldError::new("ladder", "ladder_too_long"));
            return Err(errs);
        }
        let mut last = 0;
        for (i, step) in ladder.iter().enumerate() {
            let field = |f: &str| format!("ladder[{i}].{f}");
            // Steps strictly after one another, so each pass has one step to take per lead.
            if !(1..=STEP_MINUTES_MAX).contains(&step.after_minutes) || step.after_minutes <= last {
                errs.0
                    .push(FieldError::new(field("after_minutes"), "ladder_step_order"));
            }
            last = step.after_minutes;
            // A reassignment starts the ladder over for the new rep: later steps could
            // never run.
            if step.action == StepAction::Reassign && i + 1 < ladder.len() {
                errs.0
                    .push(FieldError::new(field("action"), "ladder_reassign_last"));
            }
        }
        errs.into_result()?;
        Ok(ResponseWindow {
            minutes: input.minutes,
            ladder: ladder.clone(),
        })
    }

    /// The breach: when the window closes for a lead assigned at `assigned_at`.
    pub fn due(&self, assigned_at: DateTime<Utc>) -> DateTime<Utc> {
        assigned_at + Duration::minutes(i64::from(self.minutes))
    }

    /// When step `step` (0-based) falls due for a lead assigned at `assigned_at`; `None`
    /// past the last step.
    pub fn step_at(&self, assigned_at: DateTime<Utc>, step: usize) -> Option<DateTime<Utc>> {
        self.ladder
            .get(step)
            .map(|s| assigned_at + Duration::minutes(i64::from(s.after_minutes)))
    }

    /// The step a lead stands at (`step` taken so far) that is due at `now`, if any.
    pub fn due_step(
        &self,
        assigned_at: DateTime<Utc>,
        step: usize,
        now: DateTime<Utc>,
    ) -> Option<LadderStep> {
        let at = self.step_at(assigned_at, step)?;
        (at <= now).then(|| self.ladder[step])
    }
}

/// How a lead stands against its window at `now`: time left (negative once breached).
pub fn time_left(due: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    due - now
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
    }

    #[test]
    fn the_standard_ladder_reminds_at_half_time_tells_the_manager_then_reassigns() {
        let w = ResponseWindow::standard(90);
        let steps: Vec<_> = w
            .ladder
            .iter()
            .map(|s| (s.after_minutes, s.action))
            .collect();
        assert_eq!(
            steps,
            [
                (45, StepAction::RemindRep),
                (90, StepAction::NotifyManager),
                (120, StepAction::Reassign)
            ]
        );
        let assigned = at(9, 0);
        assert_eq!(w.due(assigned), at(10, 30));
        // Exactly at 45 minutes the reminder is due, not a minute before.
        assert_eq!(w.due_step(assigned, 0, at(9, 44)), None);
        assert_eq!(
            w.due_step(assigned, 0, at(9, 45)).map(|s| s.action),
            Some(StepAction::RemindRep)
        );
        assert_eq!(w.due_step(assigned, 1, at(10, 29)), None);
        assert_eq!(w.step_at(assigned, 2), Some(at(11, 0)));
        assert_eq!(w.step_at(assigned, 3), None);
        assert_eq!(w.due_step(assigned, 3, at(23, 0)), None);
        // A one-minute window has no room for a reminder.
        assert_eq!(ResponseWindow::standard(1).ladder.len(), 2);
    }

    #[test]
    fn a_ladder_out_of_order_or_with_steps_after_a_reassignment_names_the_fields() {
        let step = |after_minutes, action| LadderStep {
            after_minutes,
            action,
        };
        let input = ResponseWindowInput {
            minutes: 15,
            ladder: Some(vec![
                step(10, StepAction::RemindRep),
                step(10, StepAction::NotifyManager),
                step(20, StepAction::Reassign),
                step(30, StepAction::NotifyManager),
            ]),
        };
        let errs = ResponseWindow::parse(&input).unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["ladder[1].after_minutes", "ladder[2].action"]);
        let zero = ResponseWindowInput {
            minutes: 0,
            ladder: None,
        };
        assert_eq!(
            ResponseWindow::parse(&zero).unwrap_err().0[0].field,
            "minutes"
        );
        let ok = ResponseWindowInput {
            minutes: 15,
            ladder: None,
        };
        assert_eq!(
            ResponseWindow::parse(&ok).unwrap(),
            ResponseWindow::standard(15)
        );
    }

    #[test]
    fn time_left_turns_negative_after_the_breach() {
        assert_eq!(time_left(at(10, 30), at(10, 0)), Duration::minutes(30));
        assert_eq!(time_left(at(10, 30), at(10, 35)), Duration::minutes(-5));
    }
}
