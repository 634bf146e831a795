//! Why a candidate rep cannot take a lead now: the one eligibility rule every strategy, and
//! the former-owner preference, apply before picking.

use super::strategy::CandidateFacts;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a candidate was passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Skip {
    /// No such user (deleted or mistyped id).
    Unknown,
    /// Deactivated.
    Inactive,
    /// On leave at the instant.
    OnLeave {
        /// First instant back.
        until: DateTime<Utc>,
    },
    /// Let this lead's response window pass before.
    MissedWindow,
    /// Their territory does not name the lead's province or city.
    OutOfTerritory,
    /// Their skills do not name the lead's industry.
    NoSkill {
        /// The lead's industry.
        industry: String,
    },
    /// Outside their working hours (in their time zone).
    OffShift,
    /// Owns as many customers as their cap allows.
    AtCap {
        /// Owned now.
        owned: u32,
        /// The cap.
        cap: u32,
    },
}

impl Skip {
    /// Stable code (locale key suffix).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Inactive => "inactive",
            Self::OnLeave { .. } => "on_leave",
            Self::MissedWindow => "missed_window",
            Self::OutOfTerritory => "out_of_territory",
            Self::NoSkill { .. } => "no_skill",
            Self::OffShift => "off_shift",
            Self::AtCap { .. } => "at_cap",
        }
    }
}

/// Why `facts` (if known) cannot take a lead at `now`; `None` when they can.
pub fn skip_reason(facts: Option<&CandidateFacts>, now: DateTime<Utc>) -> Option<Skip> {
    let Some(f) = facts else {
        return Some(Skip::Unknown);
    };
    if !f.active {
        return Some(Skip::Inactive);
    }
    if f.missed_window {
        return Some(Skip::MissedWindow);
    }
    if f.out_of_territory {
        return Some(Skip::OutOfTerritory);
    }
    if let Some(industry) = &f.lacks_skill {
        return Some(Skip::NoSkill {
            industry: industry.clone(),
        });
    }
    if f.hours.as_ref().is_some_and(|h| !h.on_shift(now)) {
        return Some(Skip::OffShift);
    }
    // Back-to-back leaves: report the last one's end as the return.
    if let Some(first) = f.leaves.iter().find(|l| l.from <= now && now < l.until) {
        let mut until = first.until;
        while let Some(next) = f.leaves.iter().find(|l| l.from <= until && until < l.until) {
            until = next.until;
        }
        return Some(Skip::OnLeave { until });
    }
    match f.cap {
        Some(cap) if f.owned >= cap => Some(Skip::AtCap {
            owned: f.owned,
            cap,
        }),
        _ => None,
    }
}
