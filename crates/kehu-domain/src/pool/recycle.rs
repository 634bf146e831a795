//! Recycling (回收): when an owned customer goes back to a pool, and why — or why not.

use super::leave::{Leave, paused_deadline};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A pool's recycle rule (or its override for one grade).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecycleRule {
    /// Recycle after this many days without an effective follow-up.
    pub no_follow_up_days: Option<u32>,
    /// Recycle after this many days without deal or stage progress.
    pub no_progress_days: Option<u32>,
    /// Recycle when a deal is lost.
    pub on_deal_lost: bool,
    /// Warn the owner this many days before.
    pub warn_days: u32,
    /// Won customers are never recycled.
    pub exempt_won: bool,
    /// Customers with an open deal are never recycled.
    pub exempt_open_deal: bool,
}

impl Default for RecycleRule {
    /// 30 days without an effective follow-up, warned 3 days before; won customers and
    /// open deals exempt.
    fn default() -> Self {
        RecycleRule {
            no_follow_up_days: Some(30),
            no_progress_days: None,
            on_deal_lost: false,
            warn_days: 3,
            exempt_won: true,
            exempt_open_deal: true,
        }
    }
}

/// What the rule looks at for one owned customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecycleFacts {
    /// When the current owner got it.
    pub owner_since: DateTime<Utc>,
    /// The owner's last effective follow-up.
    pub last_effective_follow_up: Option<DateTime<Utc>>,
    /// The last deal or stage progress.
    pub last_progress: Option<DateTime<Utc>>,
    /// When a deal was last lost, if the customer has no open deal since.
    pub deal_lost_at: Option<DateTime<Utc>>,
    /// A deal was won.
    pub won: bool,
    /// A deal is open.
    pub open_deal: bool,
    /// The owner locked it (锁定).
    pub locked: bool,
    /// The owner is on the pool's whitelist.
    pub whitelisted: bool,
    /// End of the protection period (see `ownership::protection`).
    pub protected_until: DateTime<Utc>,
    /// The owner's recorded leave.
    pub leave: Vec<Leave>,
}

/// Why a customer is never recycled by this rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exemption {
    /// Locked by its owner.
    Locked,
    /// Its owner is whitelisted.
    Whitelisted,
    /// Won.
    Won,
    /// Has an open deal.
    OpenDeal,
}

/// The fact a recycle rests on, for the ledger event and the warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum RecycleCause {
    /// `days` without an effective follow-up since `since` (the last one, or the start of
    /// ownership when there was none).
    NoFollowUp {
        /// The rule's days.
        days: u32,
        /// The clock's start.
        since: DateTime<Utc>,
    },
    /// `days` without progress since `since`.
    NoProgress {
        /// The rule's days.
        days: u32,
        /// The clock's start.
        since: DateTime<Utc>,
    },
    /// A deal was lost at `at`.
    DealLost {
        /// When.
        at: DateTime<Utc>,
    },
}

/// What the rule says about one customer at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum RecycleVerdict {
    /// Never recycled while this holds.
    Exempt {
        /// Why.
        why: Exemption,
    },
    /// Due: recycle now.
    Recycle {
        /// The rule and its facts.
        cause: RecycleCause,
        /// When it became due.
        due: DateTime<Utc>,
    },
    /// Due within the warning period.
    Warn {
        /// The rule and its facts.
        cause: RecycleCause,
        /// When it will be due.
        due: DateTime<Utc>,
    },
    /// Not due yet; `next` is when it will be, if any rule applies.
    Keep {
        /// The earliest due time.
        next: Option<DateTime<Utc>>,
    },
}

/// Judges one customer. A customer becomes due at the earliest of its causes' deadlines (the
/// clocks paused during the owner's leave), never before its protection ends; it is due from
/// that instant on — exactly N days after the last effective follow-up, it is recycled.
pub fn judge(rule: &RecycleRule, facts: &RecycleFacts, now: DateTime<Utc>) -> RecycleVerdict {
    if let Some(why) = exemption(rule, facts) {
        return RecycleVerdict::Exempt { why };
    }
    let Some((cause, deadline)) = causes(rule, facts).min_by_key(|(_, due)| *due) else {
        return RecycleVerdict::Keep { next: None };
    };
    let due = deadline.max(facts.protected_until);
    if now >= due {
        RecycleVerdict::Recycle { cause, due }
    } else if now >= due - Duration::days(i64::from(rule.warn_days)) {
        RecycleVerdict::Warn { cause, due }
    } else {
        RecycleVerdict::Keep { next: Some(due) }
    }
}

fn exemption(rule: &RecycleRule, facts: &RecycleFacts) -> Option<Exemption> {
    if facts.locked {
        Some(Exemption::Locked)
    } else if facts.whitelisted {
        Some(Exemption::Whitelisted)
    } else if rule.exempt_won && facts.won {
        Some(Exemption::Won)
    } else if rule.exempt_open_deal && facts.open_deal {
        Some(Exemption::OpenDeal)
    } else {
        None
    }
}

fn causes<'a>(
    rule: &'a RecycleRule,
    f: &'a RecycleFacts,
) -> impl Iterator<Item = (RecycleCause, DateTime<Utc>)> + 'a {
    let clock = |days: u32, last: Option<DateTime<Utc>>| {
        let since = last.map_or(f.owner_since, |t| t.max(f.owner_since));
        let due = paused_deadline(since, Duration::days(i64::from(days)), &f.leave);
        (since, due)
    };
    let no_follow_up = rule.no_follow_up_days.map(|days| {
        let (since, due) = clock(days, f.last_effective_follow_up);
        (RecycleCause::NoFollowUp { days, since }, due)
    });
    let no_progress = rule.no_progress_days.map(|days| {
        let (since, due) = clock(days, f.last_progress);
        (RecycleCause::NoProgress { days, since }, due)
    });
    let lost = f
        .deal_lost_at
        .filter(|_| rule.on_deal_lost)
        .map(|at| (RecycleCause::DealLost { at }, at));
    [no_follow_up, no_progress, lost].into_iter().flatten()
}

/// What a recycle event records in the ledger's `rule` column: the rule with its facts and
/// the pool the customer went to, so the timeline can say "30 days without an effective
/// follow-up since 2026-10-01; pool 华东公海".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecycleRecord {
    /// The rule and its facts.
    pub cause: RecycleCauseRecord,
    /// When it became due.
    pub due: DateTime<Utc>,
    /// The pool it went to.
    pub pool: String,
}

/// [`RecycleCause`] as stored (owned and deserialisable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum RecycleCauseRecord {
    /// See [`RecycleCause::NoFollowUp`].
    NoFollowUp {
        /// Days.
        days: u32,
        /// Since.
        since: DateTime<Utc>,
    },
    /// See [`RecycleCause::NoProgress`].
    NoProgress {
        /// Days.
        days: u32,
        /// Since.
        since: DateTime<Utc>,
    },
    /// See [`RecycleCause::DealLost`].
    DealLost {
        /// When.
        at: DateTime<Utc>,
    },
}

impl From<RecycleCause> for RecycleCauseRecord {
    fn from(c: RecycleCause) -> Self {
        match c {
            RecycleCause::NoFollowUp { days, since } => Self::NoFollowUp { days, since },
            RecycleCause::NoProgress { days, since } => Self::NoProgress { days, since },
            RecycleCause::DealLost { at } => Self::DealLost { at },
        }
    }
}

impl From<RecycleCauseRecord> for RecycleCause {
    fn from(c: RecycleCauseRecord) -> Self {
        match c {
            RecycleCauseRecord::NoFollowUp { days, since } => Self::NoFollowUp { days, since },
            RecycleCauseRecord::NoProgress { days, since } => Self::NoProgress { days, since },
            RecycleCauseRecord::DealLost { at } => Self::DealLost { at },
        }
    }
}

/// The owner change of a recycle, by the system user, carrying its [`RecycleRecord`]; a
/// customer no longer owned (claimed back, released, recycled by another instance) is not
/// recycled again.
pub fn recycle_change(
    system: crate::ids::UserId,
    state: &crate::ownership::OwnershipState,
    record: &RecycleRecord,
    now: DateTime<Utc>,
) -> Result<crate::ownership::OwnerChange, crate::ownership::OwnershipError> {
    if state.owner_id.is_none() {
        return Err(crate::ownership::OwnershipError::InPool);
    }
    Ok(crate::ownership::OwnerChange {
        customer_id: state.customer_id,
        kind: crate::ownership::LedgerKind::Recycle,
        from: state.owner_id,
        to: None,
        by: system,
        reason: None,
        rule: serde_json::to_string(record).ok(),
        at: now,
        expected_version: state.version,
    })
}
