//! Follow-ups (跟进记录): what a rep logs after touching a customer, and whether it counts.
//!
//! Only an *effective* follow-up keeps a customer alive: it extends the protection period and
//! resets the recycle clock. Whether one is effective is decided by [`EffectivenessRules`],
//! which an admin configures per kind, so empty entries cannot hoard a customer.

mod effective;
mod input;

pub use effective::{Effectiveness, EffectivenessRules, KindRule, Unmet};
pub use input::{FollowUpInput, NewFollowUp};

use crate::error::FieldError;

/// How the customer was touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FollowUpKind {
    /// A phone call (电话).
    Call,
    /// A visit on site (拜访).
    Visit,
    /// A WeChat conversation (微信).
    Wechat,
    /// An e-mail (邮件).
    Email,
    /// A meeting (会议).
    Meeting,
    /// A note without contact (备注).
    Note,
}

impl FollowUpKind {
    /// Every kind, in display order.
    pub const ALL: [FollowUpKind; 6] = [
        FollowUpKind::Call,
        FollowUpKind::Visit,
        FollowUpKind::Wechat,
        FollowUpKind::Email,
        FollowUpKind::Meeting,
        FollowUpKind::Note,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            FollowUpKind::Call => "call",
            FollowUpKind::Visit => "visit",
            FollowUpKind::Wechat => "wechat",
            FollowUpKind::Email => "email",
            FollowUpKind::Meeting => "meeting",
            FollowUpKind::Note => "note",
        }
    }

    /// Parses the `kind` field.
    pub fn parse(raw: &str) -> Result<FollowUpKind, FieldError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == raw)
            .ok_or_else(|| FieldError::new("kind", "kind_invalid"))
    }
}

#[cfg(test)]
mod tests;
