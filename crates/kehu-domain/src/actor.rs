//! Who is acting: every call into the domain and the store carries an `Actor`.

use crate::ids::{TeamId, UserId};
use serde::{Deserialize, Serialize};

/// What a user may do in general; record-level rules live in [`crate::access`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees and changes everything; manages users.
    Admin,
    /// Sees and reassigns the customers of their team's subtree.
    Manager,
    /// Works their own customers and the pool.
    Rep,
}

impl Role {
    /// The stable lowercase name used in the database, the CLI and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Rep => "rep",
        }
    }

    /// Parses `admin`, `manager` or `rep`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "manager" => Some(Role::Manager),
            "rep" => Some(Role::Rep),
            _ => None,
        }
    }
}

/// The authenticated user a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user.
    pub user_id: UserId,
    /// Their display name, for ledger entries and messages.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Their team, if any.
    pub team_id: Option<TeamId>,
    /// Materialised path of their team (`/1/4/`); a manager's scope is every team whose
    /// path starts with it.
    pub team_path: Option<String>,
}

impl Actor {
    /// The team-path prefix this actor manages, if they manage anything.
    pub fn managed_path(&self) -> Option<&str> {
        match self.role {
            Role::Manager => self.team_path.as_deref(),
            _ => None,
        }
    }

    /// True when `path` (an owner's team path) lies in this actor's managed subtree.
    pub fn manages_team_path(&self, path: Option<&str>) -> bool {
        match (self.managed_path(), path) {
            (Some(scope), Some(p)) => p.starts_with(scope),
            _ => false,
        }
    }

    /// Admins only.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
