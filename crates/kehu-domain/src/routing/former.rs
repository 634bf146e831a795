//! Preferring the former owner (原负责人优先): a lead matching a pool customer goes back to
//! the rep who last owned it, when the admin switched that on, the rep may take leads now,
//! and the pool's re-claim ban for them is over. Otherwise the rules route it, and the
//! explanation says why the former owner did not get it.

use super::strategy::{CandidateFacts, Skip, skip_reason};
use crate::ids::UserId;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The admin's switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadRoutingSettings {
    /// Give a lead of a pool customer to its former owner when they may take it.
    #[serde(default)]
    pub prefer_former_owner: bool,
}

/// Who owned the matched pool customer last, and the pool's re-claim ban.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormerOwner {
    /// The rep.
    pub user: UserId,
    /// When they lost or released it.
    pub lost_at: DateTime<Utc>,
    /// The pool's ban on their re-claiming it, in days (0: none).
    pub ban_days: u32,
}

/// What came of preferring the former owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FormerVerdict {
    /// They get the lead.
    Chosen {
        /// The former owner.
        user: UserId,
    },
    /// The pool's re-claim ban still holds.
    Banned {
        /// The former owner.
        user: UserId,
        /// When it ends.
        until: DateTime<Utc>,
    },
    /// They cannot take leads now (on leave, at cap, deactivated …).
    Skipped {
        /// The former owner.
        user: UserId,
        /// Why.
        skip: Skip,
    },
}

/// Whether `former` gets the lead at `now`, by the same eligibility as any candidate.
pub fn prefer_former(
    former: &FormerOwner,
    candidates: &HashMap<UserId, CandidateFacts>,
    now: DateTime<Utc>,
) -> FormerVerdict {
    let user = former.user;
    let until = former.lost_at + Duration::days(i64::from(former.ban_days));
    if former.ban_days > 0 && now < until {
        return FormerVerdict::Banned { user, until };
    }
    match skip_reason(candidates.get(&user), now) {
        Some(skip) => FormerVerdict::Skipped { user, skip },
        None => FormerVerdict::Chosen { user },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap()
    }

    fn facts(active: bool) -> HashMap<UserId, CandidateFacts> {
        let f = CandidateFacts {
            active,
            ..CandidateFacts::available("王芳")
        };
        HashMap::from([(UserId(7), f)])
    }

    #[test]
    fn the_former_owner_gets_it_after_the_ban_and_while_eligible() {
        let former = |days_ago: i64, ban_days| FormerOwner {
            user: UserId(7),
            lost_at: now() - Duration::days(days_ago),
            ban_days,
        };
        assert_eq!(
            prefer_former(&former(3, 0), &facts(true), now()),
            FormerVerdict::Chosen { user: UserId(7) }
        );
        assert_eq!(
            prefer_former(&former(3, 7), &facts(true), now()),
            FormerVerdict::Banned {
                user: UserId(7),
                until: now() + Duration::days(4)
            }
        );
        // Exactly at the ban's end it is over.
        assert_eq!(
            prefer_former(&former(7, 7), &facts(true), now()),
            FormerVerdict::Chosen { user: UserId(7) }
        );
        assert_eq!(
            prefer_former(&former(30, 7), &facts(false), now()),
            FormerVerdict::Skipped {
                user: UserId(7),
                skip: Skip::Inactive
            }
        );
    }
}
