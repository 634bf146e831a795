//! The allowed owner transitions. Each returns an [`OwnerChange`] for the store's one
//! writer (`kehu_store::ownership::apply`) or says, in a typed error, why not.

use super::ledger::{LedgerEntry, LedgerKind, OwnerChange};
use crate::actor::Actor;
use crate::error::FieldError;
use crate::ids::{CustomerId, UserId};
use chrono::{DateTime, Utc};

/// What the rules need to know about a customer's current ownership.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnershipState {
    /// The customer.
    pub customer_id: CustomerId,
    /// Current owner (`None` = pool).
    pub owner_id: Option<UserId>,
    /// Current owner's name, for messages.
    pub owner_name: Option<String>,
    /// Current owner's team path, for the manager-scope check.
    pub owner_team_path: Option<String>,
    /// Since when.
    pub owner_since: DateTime<Utc>,
    /// Row version.
    pub version: i64,
}

/// The rep a customer is transferred to.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferTarget {
    /// The rep.
    pub user_id: UserId,
    /// Their team path.
    pub team_path: Option<String>,
    /// False when disabled (left the company).
    pub active: bool,
}

/// A reason for a release or transfer: required, trimmed, at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    /// Parses the `reason` field.
    pub fn parse(raw: &str) -> Result<Reason, FieldError> {
        let s = crate::text::squash_spaces(raw);
        if s.is_empty() {
            Err(FieldError::new("reason", "required"))
        } else if s.chars().count() > 500 {
            Err(FieldError::new("reason", "too_long"))
        } else {
            Ok(Reason(s))
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why an owner change is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OwnershipError {
    /// Somebody owns it already (the loser of a claim race gets this).
    #[error("already owned by {owner_name} since {since}")]
    AlreadyOwned {
        /// The owner's display name.
        owner_name: String,
        /// Since when.
        since: DateTime<Utc>,
    },
    /// Only the owner (or their manager) may release.
    #[error("not the owner")]
    NotOwner,
    /// Already in the pool.
    #[error("already in the pool")]
    InPool,
    /// The actor's role or scope does not allow this change.
    #[error("not permitted")]
    NotPermitted,
    /// Transfer to the current owner.
    #[error("already owned by the target")]
    SameOwner,
    /// The target rep cannot receive customers (disabled, or outside the manager's scope).
    #[error("target cannot receive customers")]
    TargetNotAssignable,
}

/// How long after a claim a losing claimer is still told who won. Past that, a customer
/// the actor may not read is simply not found.
pub const CLAIM_RACE_WINDOW_MINUTES: i64 = 5;

/// A claimer who may no longer read the customer lost a race if the last ledger event is a
/// claim from the pool within [`CLAIM_RACE_WINDOW_MINUTES`]: they saw it in the pool moments
/// ago, so naming the winner reveals nothing new. `None` means "not found" is the answer.
pub fn lost_claim_race(last: &LedgerEntry, now: DateTime<Utc>) -> Option<OwnershipError> {
    let recent = now - last.at <= chrono::Duration::minutes(CLAIM_RACE_WINDOW_MINUTES);
    (last.kind == LedgerKind::Claim && recent).then(|| OwnershipError::AlreadyOwned {
        owner_name: last.to_name.clone().unwrap_or_default(),
        since: last.at,
    })
}

/// The first ledger event of a new customer: owned by its creator.
pub fn create(actor: &Actor, customer_id: CustomerId, now: DateTime<Utc>) -> OwnerChange {
    OwnerChange {
        customer_id,
        kind: LedgerKind::Create,
        from: None,
        to: Some(actor.user_id),
        by: actor.user_id,
        reason: None,
        rule: None,
        at: now,
        expected_version: 0,
    }
}

/// A rep (or anyone) takes a pool customer.
pub fn claim(
    actor: &Actor,
    state: &OwnershipState,
    now: DateTime<Utc>,
) -> Result<OwnerChange, OwnershipError> {
    if let Some(owner) = state.owner_id {
        return Err(OwnershipError::AlreadyOwned {
            owner_name: state
                .owner_name
                .clone()
                .unwrap_or_else(|| owner.to_string()),
            since: state.owner_since,
        });
    }
    Ok(change(
        state,
        LedgerKind::Claim,
        actor,
        Some(actor.user_id),
        None,
        now,
    ))
}

/// The owner, their manager or an admin gives a customer back to the pool.
pub fn release(
    actor: &Actor,
    state: &OwnershipState,
    reason: &Reason,
    now: DateTime<Utc>,
) -> Result<OwnerChange, OwnershipError> {
    let Some(owner) = state.owner_id else {
        return Err(OwnershipError::InPool);
    };
    let allowed = owner == actor.user_id
        || actor.is_admin()
        || actor.manages_team_path(state.owner_team_path.as_deref());
    if !allowed {
        return Err(OwnershipError::NotOwner);
    }
    Ok(change(
        state,
        LedgerKind::Release,
        actor,
        None,
        Some(reason),
        now,
    ))
}

/// A manager (within their subtree, on both ends) or an admin moves a customer to another rep.
/// Customers in the pool may be transferred too: that is an assignment from the pool.
pub fn transfer(
    actor: &Actor,
    state: &OwnershipState,
    target: &TransferTarget,
    reason: &Reason,
    now: DateTime<Utc>,
) -> Result<OwnerChange, OwnershipError> {
    let source_ok = actor.is_admin()
        || state.owner_id.is_none() && actor.managed_path().is_some()
        || actor.manages_team_path(state.owner_team_path.as_deref());
    if !source_ok {
        return Err(OwnershipError::NotPermitted);
    }
    if !target.active || !(actor.is_admin() || actor.manages_team_path(target.team_path.as_deref()))
    {
        return Err(OwnershipError::TargetNotAssignable);
    }
    if state.owner_id == Some(target.user_id) {
        return Err(OwnershipError::SameOwner);
    }
    Ok(change(
        state,
        LedgerKind::Transfer,
        actor,
        Some(target.user_id),
        Some(reason),
        now,
    ))
}

fn change(
    state: &OwnershipState,
    kind: LedgerKind,
    actor: &Actor,
    to: Option<UserId>,
    reason: Option<&Reason>,
    now: DateTime<Utc>,
) -> OwnerChange {
    OwnerChange {
        customer_id: state.customer_id,
        kind,
        from: state.owner_id,
        to,
        by: actor.user_id,
        reason: reason.map(|r| r.as_str().to_owned()),
        rule: None,
        at: now,
        expected_version: state.version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Role;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
            .single()
            .expect("valid")
    }

    fn actor(id: i64, role: Role, path: &str) -> Actor {
        Actor {
            user_id: UserId(id),
            name: format!("u{id}"),
            role,
            team_id: None,
            team_path: Some(path.into()),
        }
    }

    fn state(owner: Option<i64>, path: Option<&str>) -> OwnershipState {
        OwnershipState {
            customer_id: CustomerId(10),
            owner_id: owner.map(UserId),
            owner_name: owner.map(|_| "张三".into()),
            owner_team_path: path.map(Into::into),
            owner_since: now(),
            version: 3,
        }
    }

    fn reason() -> Reason {
        Reason::parse("客户要求换人").expect("valid")
    }

    #[test]
    fn claim_from_pool_carries_version_and_refuses_owned() {
        let rep = actor(1, Role::Rep, "/1/");
        let c = claim(&rep, &state(None, None), now()).expect("claimable");
        assert_eq!(
            (c.kind, c.from, c.to, c.expected_version),
            (LedgerKind::Claim, None, Some(UserId(1)), 3)
        );
        let err = claim(&rep, &state(Some(2), Some("/1/")), now()).unwrap_err();
        assert!(
            matches!(err, OwnershipError::AlreadyOwned { ref owner_name, .. } if owner_name == "张三")
        );
    }

    #[test]
    fn a_fresh_claim_names_the_winner_to_late_claimers_but_old_ones_stay_hidden() {
        let claim = LedgerEntry {
            id: 1,
            customer_id: CustomerId(10),
            kind: LedgerKind::Claim,
            from_user: None,
            from_name: None,
            to_user: Some(UserId(2)),
            to_name: Some("张三".into()),
            by_user: UserId(2),
            by_name: "张三".into(),
            reason: None,
            rule: None,
            at: now(),
        };
        let err =
            lost_claim_race(&claim, now() + chrono::Duration::seconds(3)).expect("a lost race");
        assert!(
            matches!(err, OwnershipError::AlreadyOwned { ref owner_name, .. } if owner_name == "张三")
        );
        assert!(lost_claim_race(&claim, now() + chrono::Duration::minutes(6)).is_none());
        let transfer = LedgerEntry {
            kind: LedgerKind::Transfer,
            ..claim
        };
        assert!(
            lost_claim_race(&transfer, now()).is_none(),
            "only pool claims were visible to everyone"
        );
    }

    #[test]
    fn only_owner_or_their_manager_releases() {
        let s = state(Some(2), Some("/1/2/"));
        assert_eq!(
            release(&actor(1, Role::Rep, "/1/2/"), &s, &reason(), now()).unwrap_err(),
            OwnershipError::NotOwner
        );
        assert!(release(&actor(2, Role::Rep, "/1/2/"), &s, &reason(), now()).is_ok());
        assert!(release(&actor(9, Role::Manager, "/1/"), &s, &reason(), now()).is_ok());
        assert_eq!(
            release(
                &actor(2, Role::Rep, "/1/2/"),
                &state(None, None),
                &reason(),
                now()
            )
            .unwrap_err(),
            OwnershipError::InPool
        );
        assert_eq!(
            Reason::parse("  ").unwrap_err(),
            FieldError::new("reason", "required")
        );
    }

    #[test]
    fn transfer_stays_inside_the_managers_subtree() {
        let m = actor(9, Role::Manager, "/1/2/");
        let s = state(Some(2), Some("/1/2/"));
        let inside = TransferTarget {
            user_id: UserId(3),
            team_path: Some("/1/2/4/".into()),
            active: true,
        };
        let outside = TransferTarget {
            user_id: UserId(4),
            team_path: Some("/1/3/".into()),
            active: true,
        };
        let t = transfer(&m, &s, &inside, &reason(), now()).expect("allowed");
        assert_eq!(
            (t.from, t.to, t.reason.as_deref()),
            (Some(UserId(2)), Some(UserId(3)), Some("客户要求换人"))
        );
        assert_eq!(
            transfer(&m, &s, &outside, &reason(), now()).unwrap_err(),
            OwnershipError::TargetNotAssignable
        );
        assert_eq!(
            transfer(&actor(2, Role::Rep, "/1/2/"), &s, &inside, &reason(), now()).unwrap_err(),
            OwnershipError::NotPermitted
        );
        let same = TransferTarget {
            user_id: UserId(2),
            team_path: Some("/1/2/".into()),
            active: true,
        };
        assert_eq!(
            transfer(&m, &s, &same, &reason(), now()).unwrap_err(),
            OwnershipError::SameOwner
        );
        let gone = TransferTarget {
            active: false,
            ..inside
        };
        assert_eq!(
            transfer(&m, &s, &gone, &reason(), now()).unwrap_err(),
            OwnershipError::TargetNotAssignable
        );
    }
}
