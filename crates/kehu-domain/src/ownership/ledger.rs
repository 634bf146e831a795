//! The ownership ledger (归属流水): append-only events, and questions asked of them.

use crate::ids::{CustomerId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What kind of owner change an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Entered by a rep, who becomes the owner (or straight into the pool).
    Create,
    /// Taken from the pool (领取).
    Claim,
    /// Given back to the pool (退回).
    Release,
    /// Moved between reps by a manager (转移).
    Transfer,
    /// Taken back by a rule (回收).
    Recycle,
    /// Duplicate records merged (合并): on the kept record and on each merged one.
    Merge,
    /// A merge undone by an admin.
    Unmerge,
    /// An appeal decided by a manager (仲裁): kept or transferred.
    Appeal,
}

impl LedgerKind {
    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            LedgerKind::Create => "create",
            LedgerKind::Claim => "claim",
            LedgerKind::Release => "release",
            LedgerKind::Transfer => "transfer",
            LedgerKind::Recycle => "recycle",
            LedgerKind::Merge => "merge",
            LedgerKind::Unmerge => "unmerge",
            LedgerKind::Appeal => "appeal",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<LedgerKind> {
        [
            Self::Create,
            Self::Claim,
            Self::Release,
            Self::Transfer,
            Self::Recycle,
            Self::Merge,
            Self::Unmerge,
            Self::Appeal,
        ]
        .into_iter()
        .find(|k| k.code() == s)
    }
}

/// A decided owner change, ready to be persisted with compare-and-set on `expected_version`.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerChange {
    /// The customer.
    pub customer_id: CustomerId,
    /// What happened.
    pub kind: LedgerKind,
    /// Owner before (`None` = pool).
    pub from: Option<UserId>,
    /// Owner after (`None` = pool).
    pub to: Option<UserId>,
    /// Who did it.
    pub by: UserId,
    /// Why, in the actor's words.
    pub reason: Option<String>,
    /// The rule that did it, for automatic changes.
    pub rule: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// The row version the decision was made on.
    pub expected_version: i64,
}

/// A ledger event as stored, with names resolved for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerEntry {
    /// Event id (monotonic per database).
    pub id: i64,
    /// The customer.
    pub customer_id: CustomerId,
    /// What happened.
    pub kind: LedgerKind,
    /// Owner before.
    pub from_user: Option<UserId>,
    /// Owner before, display name.
    pub from_name: Option<String>,
    /// Owner after.
    pub to_user: Option<UserId>,
    /// Owner after, display name.
    pub to_name: Option<String>,
    /// Who did it.
    pub by_user: UserId,
    /// Who did it, display name.
    pub by_name: String,
    /// Why.
    pub reason: Option<String>,
    /// Which rule.
    pub rule: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The owner at instant `t` according to `entries` (in ledger order): the `to` of the last
/// event at or before `t`. `None` when the customer did not exist yet or was in the pool.
pub fn owner_at(entries: &[LedgerEntry], t: DateTime<Utc>) -> Option<&LedgerEntry> {
    entries.iter().rev().find(|e| e.at <= t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(id: i64, kind: LedgerKind, to: Option<i64>, day: u32) -> LedgerEntry {
        LedgerEntry {
            id,
            customer_id: CustomerId(1),
            kind,
            from_user: None,
            from_name: None,
            to_user: to.map(UserId),
            to_name: None,
            by_user: UserId(1),
            by_name: "x".into(),
            reason: None,
            rule: None,
            at: Utc
                .with_ymd_and_hms(2026, 3, day, 0, 0, 0)
                .single()
                .expect("valid"),
        }
    }

    #[test]
    fn owner_at_answers_from_the_ledger() {
        let log = [
            entry(1, LedgerKind::Create, Some(5), 1),
            entry(2, LedgerKind::Release, None, 10),
            entry(3, LedgerKind::Claim, Some(6), 20),
        ];
        let at = |d| {
            Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0)
                .single()
                .expect("valid")
        };
        assert_eq!(
            owner_at(&log, at(5)).and_then(|e| e.to_user),
            Some(UserId(5))
        );
        assert_eq!(
            owner_at(&log, at(15)).map(|e| e.kind),
            Some(LedgerKind::Release)
        );
        assert_eq!(
            owner_at(&log, at(25)).and_then(|e| e.to_user),
            Some(UserId(6))
        );
        let before = Utc
            .with_ymd_and_hms(2026, 2, 1, 0, 0, 0)
            .single()
            .expect("valid");
        assert!(owner_at(&log, before).is_none());
        for k in [
            LedgerKind::Create,
            LedgerKind::Claim,
            LedgerKind::Release,
            LedgerKind::Transfer,
            LedgerKind::Recycle,
        ] {
            assert_eq!(LedgerKind::parse(k.code()), Some(k));
        }
    }
}
