//! Appeals (申诉) and their decisions (仲裁): who may decide, and the ledger event a decision
//! becomes.

use super::ledger::{LedgerKind, OwnerChange};
use super::transition::{OwnershipError, OwnershipState};
use crate::actor::Actor;
use crate::error::FieldError;
use crate::ids::UserId;
use chrono::{DateTime, Utc};

/// At most this many characters of statement or decision note.
pub const MAX_TEXT: usize = 2000;

/// A manager's ruling on an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The owner keeps the customer.
    Keep,
    /// The customer goes to the appellant.
    Transfer,
    /// The customer goes to the appellant; credit is split, the appellant getting
    /// `appellant_share` percent and the former owner the rest.
    Split {
        /// 1 to 99.
        appellant_share: u8,
    },
}

impl Decision {
    /// Parses the `decision` field and, for a split, the `appellant_share` field.
    pub fn parse(decision: &str, share: Option<&str>) -> Result<Decision, FieldError> {
        match decision.trim() {
            "keep" => Ok(Decision::Keep),
            "transfer" => Ok(Decision::Transfer),
            "split" => {
                let raw = share.map(str::trim).unwrap_or_default();
                if raw.is_empty() {
                    return Err(FieldError::new("appellant_share", "required"));
                }
                match raw.parse::<u8>() {
                    Ok(n @ 1..=99) => Ok(Decision::Split { appellant_share: n }),
                    _ => Err(FieldError::new("appellant_share", "share_out_of_range")),
                }
            }
            "" => Err(FieldError::new("decision", "required")),
            _ => Err(FieldError::new("decision", "unknown_value")),
        }
    }

    /// Stable code stored with the appeal.
    pub fn code(self) -> &'static str {
        match self {
            Decision::Keep => "keep",
            Decision::Transfer => "transfer",
            Decision::Split { .. } => "split",
        }
    }

    /// The appellant's share of the credit, for a split.
    pub fn appellant_share(self) -> Option<u8> {
        match self {
            Decision::Split { appellant_share } => Some(appellant_share),
            _ => None,
        }
    }
}

/// Parses a statement or note: trimmed, optional unless `required`, at most [`MAX_TEXT`].
pub fn parse_text(
    field: &'static str,
    raw: &str,
    required: bool,
) -> Result<Option<String>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return if required {
            Err(FieldError::new(field, "required"))
        } else {
            Ok(None)
        };
    }
    if s.chars().count() > MAX_TEXT {
        return Err(FieldError::new(field, "too_long"));
    }
    Ok(Some(s.to_owned()))
}

/// May `actor` decide appeals on a customer in `state`? The owner's manager chain or an
/// admin; a customer in the pool only an admin.
pub fn may_decide(actor: &Actor, state: &OwnershipState) -> bool {
    actor.is_admin()
        || state.owner_id.is_some() && actor.manages_team_path(state.owner_team_path.as_deref())
}

/// Turns a decision on `appellant`'s appeal into the ledger event it becomes. A kept
/// customer gets an event from and to its owner, so the ledger shows the ruling too.
pub fn decide(
    actor: &Actor,
    state: &OwnershipState,
    appellant: UserId,
    decision: Decision,
    appeal_id: i64,
    now: DateTime<Utc>,
) -> Result<OwnerChange, OwnershipError> {
    if !may_decide(actor, state) {
        return Err(OwnershipError::NotPermitted);
    }
    let to = match decision {
        Decision::Keep => state.owner_id,
        Decision::Transfer | Decision::Split { .. } => {
            if state.owner_id == Some(appellant) {
                return Err(OwnershipError::SameOwner);
            }
            Some(appellant)
        }
    };
    let rule = match decision.appellant_share() {
        Some(share) => format!("appeal #{appeal_id}: split {share}/{}", 100 - share),
        None => format!("appeal #{appeal_id}: {}", decision.code()),
    };
    Ok(OwnerChange {
        customer_id: state.customer_id,
        kind: LedgerKind::Appeal,
        from: state.owner_id,
        to,
        by: actor.user_id,
        reason: None,
        rule: Some(rule),
        at: now,
        expected_version: state.version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Role;
    use crate::ids::CustomerId;

    fn actor(id: i64, role: Role, path: &str) -> Actor {
        Actor {
            user_id: UserId(id),
            name: format!("u{id}"),
            role,
            team_id: None,
            team_path: Some(path.into()),
        }
    }

    fn state() -> OwnershipState {
        OwnershipState {
            customer_id: CustomerId(1),
            owner_id: Some(UserId(2)),
            owner_name: Some("u2".into()),
            owner_team_path: Some("/1/2/".into()),
            owner_since: DateTime::UNIX_EPOCH,
            version: 4,
        }
    }

    #[test]
    fn decisions_parse_with_a_share_between_1_and_99() {
        assert_eq!(Decision::parse("keep", None), Ok(Decision::Keep));
        assert_eq!(
            Decision::parse("split", Some("60")),
            Ok(Decision::Split {
                appellant_share: 60
            })
        );
        for bad in ["0", "100", "abc"] {
            assert_eq!(
                Decision::parse("split", Some(bad)),
                Err(FieldError::new("appellant_share", "share_out_of_range"))
            );
        }
        assert_eq!(
            Decision::parse("", None),
            Err(FieldError::new("decision", "required"))
        );
    }

    #[test]
    fn the_owners_manager_decides_and_a_rep_or_other_team_may_not() {
        let s = state();
        let now = DateTime::UNIX_EPOCH;
        let m = actor(9, Role::Manager, "/1/2/");
        let c = decide(
            &m,
            &s,
            UserId(3),
            Decision::Split {
                appellant_share: 30,
            },
            7,
            now,
        )
        .expect("manager decides");
        assert_eq!(
            (c.from, c.to, c.kind),
            (Some(UserId(2)), Some(UserId(3)), LedgerKind::Appeal)
        );
        assert_eq!(c.rule.as_deref(), Some("appeal #7: split 30/70"));
        let kept = decide(&m, &s, UserId(3), Decision::Keep, 7, now).expect("keep");
        assert_eq!(kept.to, Some(UserId(2)));
        let rep = actor(3, Role::Rep, "/1/2/");
        let other = actor(8, Role::Manager, "/1/5/");
        for a in [rep, other] {
            assert_eq!(
                decide(&a, &s, UserId(3), Decision::Transfer, 7, now),
                Err(OwnershipError::NotPermitted)
            );
        }
    }
}
