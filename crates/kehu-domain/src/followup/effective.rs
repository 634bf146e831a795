//! Whether a follow-up counts (有效跟进), by admin-configured rules per kind.

use super::{FollowUpKind, NewFollowUp};
use serde::{Deserialize, Serialize};

/// What one kind of follow-up needs to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    /// Fewest characters of content (`0`: any).
    pub min_chars: u32,
    /// Shortest call, in seconds (`0`: any; a missing duration then counts as zero).
    pub min_duration_secs: u32,
    /// A contact person must be named.
    pub needs_contact: bool,
}

/// The rule of each kind; see [`EffectivenessRules::default`] for the shipped defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectivenessRules {
    /// Phone calls.
    pub call: KindRule,
    /// Visits.
    pub visit: KindRule,
    /// WeChat.
    pub wechat: KindRule,
    /// E-mail.
    pub email: KindRule,
    /// Meetings.
    pub meeting: KindRule,
    /// Notes.
    pub note: KindRule,
}

impl Default for EffectivenessRules {
    /// A note needs 15 characters, a call 60 seconds, a visit or meeting a contact person,
    /// WeChat and e-mail 10 characters.
    fn default() -> Self {
        let chars = |n| KindRule {
            min_chars: n,
            ..KindRule::default()
        };
        let contact = KindRule {
            needs_contact: true,
            ..KindRule::default()
        };
        EffectivenessRules {
            call: KindRule {
                min_duration_secs: 60,
                ..KindRule::default()
            },
            visit: contact,
            wechat: chars(10),
            email: chars(10),
            meeting: contact,
            note: chars(15),
        }
    }
}

/// A rule a follow-up did not meet, with the figure to show ("at least 15 characters").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", content = "min", rename_all = "snake_case")]
pub enum Unmet {
    /// Content shorter than this many characters.
    ContentShorterThan(u32),
    /// Call shorter than this many seconds.
    CallShorterThan(u32),
    /// No contact person named.
    NoContact,
}

/// The verdict on one follow-up, with every unmet rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effectiveness {
    /// Every rule it missed; empty means effective.
    pub unmet: Vec<Unmet>,
}

impl Effectiveness {
    /// Whether it counts for protection and recycling.
    pub fn is_effective(&self) -> bool {
        self.unmet.is_empty()
    }
}

impl EffectivenessRules {
    /// The rule for `kind`.
    pub fn rule(&self, kind: FollowUpKind) -> KindRule {
        match kind {
            FollowUpKind::Call => self.call,
            FollowUpKind::Visit => self.visit,
            FollowUpKind::Wechat => self.wechat,
            FollowUpKind::Email => self.email,
            FollowUpKind::Meeting => self.meeting,
            FollowUpKind::Note => self.note,
        }
    }

    /// Judges `f` against its kind's rule.
    pub fn judge(&self, f: &NewFollowUp) -> Effectiveness {
        let rule = self.rule(f.kind);
        let mut unmet = Vec::new();
        if (f.content.chars().filter(|c| !c.is_whitespace()).count() as u32) < rule.min_chars {
            unmet.push(Unmet::ContentShorterThan(rule.min_chars));
        }
        if f.duration_secs.unwrap_or(0) < rule.min_duration_secs {
            unmet.push(Unmet::CallShorterThan(rule.min_duration_secs));
        }
        if rule.needs_contact && f.contact_id.is_none() {
            unmet.push(Unmet::NoContact);
        }
        Effectiveness { unmet }
    }
}

/// Longest content a rule may require, and longest call.
const MAX_MIN_CHARS: u32 = 2000;
const MAX_MIN_DURATION_SECS: u32 = 4 * 3600;

impl EffectivenessRules {
    /// Checks every kind's rule is attainable; errors name `<kind>.<field>`.
    pub fn validate(&self) -> Result<(), crate::error::FieldErrors> {
        let mut errs = crate::error::FieldErrors::default();
        for kind in FollowUpKind::ALL {
            let rule = self.rule(kind);
            if rule.min_chars > MAX_MIN_CHARS {
                errs.0.push(crate::error::FieldError::new(
                    format!("{}.min_chars", kind.code()),
                    "too_large",
                ));
            }
            if rule.min_duration_secs > MAX_MIN_DURATION_SECS {
                errs.0.push(crate::error::FieldError::new(
                    format!("{}.min_duration_secs", kind.code()),
                    "too_large",
                ));
            }
        }
        errs.into_result()
    }
}
