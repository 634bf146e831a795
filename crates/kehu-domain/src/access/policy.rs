//! Record- and field-level access for customers (OWASP ASVS V8).
//!
//! The store filters rows in SQL with the same rules (`customers::read_filter`); this
//! module is the single statement of them, and tests pin both to agree.

use crate::actor::Actor;
use crate::ids::UserId;

/// What a collaborator (协作人) was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollaboratorAccess {
    /// May read, unmasked.
    Read,
    /// May read and edit fields (never change the owner).
    Write,
}

/// The facts about one customer that access depends on.
#[derive(Debug, Clone, Copy)]
pub struct AccessFacts<'a> {
    /// Current owner; `None` = in the pool.
    pub owner_id: Option<UserId>,
    /// Owner's team path, for the manager-chain rule.
    pub owner_team_path: Option<&'a str>,
    /// The actor's collaborator grant on this customer, if any.
    pub collaborator: Option<CollaboratorAccess>,
    /// For a pool customer: whether its pool is open to the actor (its member teams
    /// include the actor's, or it has none). Pools closed to the actor are hidden.
    pub pool_open: bool,
}

/// How much of a customer an actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visibility {
    /// Not at all: the customer does not exist for them (404).
    Hidden,
    /// Visible with phone and other contact data masked.
    Masked,
    /// Everything.
    Full,
}

impl Visibility {
    /// True unless hidden.
    pub fn can_read(self) -> bool {
        self != Visibility::Hidden
    }
}

/// Decides visibility. Pool customers are masked for everyone until claimed: contact data
/// is the prize of a claim, and nobody should harvest it by browsing the pool.
pub fn visibility(actor: &Actor, facts: AccessFacts<'_>) -> Visibility {
    let Some(owner) = facts.owner_id else {
        return if facts.pool_open {
            Visibility::Masked
        } else {
            Visibility::Hidden
        };
    };
    if owner == actor.user_id
        || actor.is_admin()
        || actor.manages_team_path(facts.owner_team_path)
        || facts.collaborator.is_some()
    {
        Visibility::Full
    } else {
        Visibility::Hidden
    }
}

/// Decides whether the actor may edit the customer's fields (not its owner: that is
/// [`crate::ownership`]'s business).
pub fn can_change(actor: &Actor, facts: AccessFacts<'_>) -> bool {
    match facts.owner_id {
        None => false,
        Some(owner) => {
            owner == actor.user_id
                || actor.is_admin()
                || actor.manages_team_path(facts.owner_team_path)
                || facts.collaborator == Some(CollaboratorAccess::Write)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Role;

    fn actor(id: i64, role: Role, path: &str) -> Actor {
        Actor {
            user_id: UserId(id),
            name: format!("u{id}"),
            role,
            team_id: None,
            team_path: Some(path.into()),
        }
    }

    fn owned_by(id: i64, path: &'static str) -> AccessFacts<'static> {
        AccessFacts {
            owner_id: Some(UserId(id)),
            owner_team_path: Some(path),
            collaborator: None,
            pool_open: true,
        }
    }

    #[test]
    fn rep_sees_own_and_not_a_colleagues() {
        let rep = actor(1, Role::Rep, "/1/2/");
        assert_eq!(visibility(&rep, owned_by(1, "/1/2/")), Visibility::Full);
        assert_eq!(visibility(&rep, owned_by(2, "/1/2/")), Visibility::Hidden);
        assert!(!can_change(&rep, owned_by(2, "/1/2/")));
    }

    #[test]
    fn manager_sees_subtree_only() {
        let m = actor(9, Role::Manager, "/1/2/");
        assert_eq!(visibility(&m, owned_by(3, "/1/2/5/")), Visibility::Full);
        assert_eq!(visibility(&m, owned_by(4, "/1/3/")), Visibility::Hidden);
        assert!(can_change(&m, owned_by(3, "/1/2/")));
    }

    #[test]
    fn pool_is_masked_even_for_admins() {
        let admin = actor(7, Role::Admin, "/1/");
        let pool = AccessFacts {
            owner_id: None,
            owner_team_path: None,
            collaborator: None,
            pool_open: true,
        };
        assert_eq!(visibility(&admin, pool), Visibility::Masked);
        let closed = AccessFacts {
            pool_open: false,
            ..pool
        };
        assert_eq!(visibility(&admin, closed), Visibility::Hidden);
        assert_eq!(visibility(&admin, owned_by(3, "/1/9/")), Visibility::Full);
    }

    #[test]
    fn collaborators_read_and_write_as_granted() {
        let rep = actor(1, Role::Rep, "/1/2/");
        let mut facts = owned_by(2, "/1/2/");
        facts.collaborator = Some(CollaboratorAccess::Read);
        assert_eq!(visibility(&rep, facts), Visibility::Full);
        assert!(!can_change(&rep, facts));
        facts.collaborator = Some(CollaboratorAccess::Write);
        assert!(can_change(&rep, facts));
    }
}
