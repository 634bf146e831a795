//! Customers (客户): what a rep enters, and the loaded record the rules look at.

mod fields;
mod input;
pub mod keys;
pub mod merge;
mod phone;
pub mod search;

pub use fields::{CustomerName, Grade, IntentLevel, Source, optional_text};
pub use input::{
    ContactInput, CustomerInput, CustomerPatch, NewContact, NewCustomer, parse_datetime,
};
pub use phone::{Phone, mask_phone};

use crate::ids::{CustomerId, UserId};
use chrono::{DateTime, Utc};

/// A customer as loaded for an actor who may read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// Its id.
    pub id: CustomerId,
    /// Display name as entered.
    pub name: String,
    /// Main phone.
    pub phone: Phone,
    /// Where it came from.
    pub source: Source,
    /// How interested it is.
    pub intent: IntentLevel,
    /// A/B/C, when graded.
    pub grade: Option<Grade>,
    /// Unified social credit code, validated when stored.
    pub credit_code: Option<String>,
    /// Industry, free text.
    pub industry: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// City.
    pub city: Option<String>,
    /// When the owner plans to follow up next.
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// Current owner; `None` means the customer is in the pool.
    pub owner_id: Option<UserId>,
    /// Current owner's display name.
    pub owner_name: Option<String>,
    /// Current owner's team path, for the manager-scope check.
    pub owner_team_path: Option<String>,
    /// Since when the current owner (or the pool) holds it.
    pub owner_since: DateTime<Utc>,
    /// Row version for compare-and-set.
    pub version: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Customer {
    /// True when nobody owns it (公海).
    pub fn in_pool(&self) -> bool {
        self.owner_id.is_none()
    }
}
