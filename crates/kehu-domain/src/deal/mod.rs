//! Deals (商机): a sales opportunity on a customer, moving through a fixed, ordered list of
//! stages (阶段) until it is won or lost.
//!
//! Deals feed the pool rules: a customer with an open deal, or a won one, can be exempt from
//! recycling; a lost deal can recycle it; a stage move is the "progress" that restarts the
//! no-progress clock. The store keeps those facts on the customer row in the same transaction
//! as every deal write, so the recycle judge reads them without a join.

mod amount;
mod input;

pub use amount::Amount;
pub use input::{DealInput, NewDeal, StageInput, StageMove, Step, move_stage, step};

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// A deal's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DealId(pub i64);

impl std::fmt::Display for DealId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a deal stands. The open stages are ordered (a move can go forward, skip ahead or go
/// back, and each is shown as such); `Won` and `Lost` close the deal for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// 初步接洽: first contact.
    Contact,
    /// 需求确认: needs confirmed.
    Needs,
    /// 方案报价: proposal and quote sent.
    Proposal,
    /// 谈判: negotiation.
    Negotiation,
    /// 赢单: won (terminal).
    Won,
    /// 输单: lost (terminal; needs a reason).
    Lost,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 6] = [
        Stage::Contact,
        Stage::Needs,
        Stage::Proposal,
        Stage::Negotiation,
        Stage::Won,
        Stage::Lost,
    ];

    /// The stages a deal can be created in (the open ones), in order.
    pub const OPEN: [Stage; 4] = [
        Stage::Contact,
        Stage::Needs,
        Stage::Proposal,
        Stage::Negotiation,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Contact => "contact",
            Stage::Needs => "needs",
            Stage::Proposal => "proposal",
            Stage::Negotiation => "negotiation",
            Stage::Won => "won",
            Stage::Lost => "lost",
        }
    }

    /// Parses a stage code; `field` names the input it came from.
    pub fn parse(field: &'static str, raw: &str) -> Result<Stage, FieldError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.code() == raw)
            .ok_or_else(|| FieldError::new(field, "stage_invalid"))
    }

    /// Still open: neither won nor lost.
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Won | Stage::Lost)
    }
}

#[cfg(test)]
mod tests;
