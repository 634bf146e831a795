#![doc = include_str!("../README.md")]

pub mod access;
pub mod actor;
pub mod auth;
pub mod availability;
pub mod customer;
pub mod deal;
pub mod error;
pub mod followup;
pub mod identity;
pub mod ids;
pub mod lead;
pub mod ownership;
pub mod pool;
pub mod routing;
pub mod text;

pub use actor::{Actor, Role};
pub use error::FieldError;
pub use ids::{ContactId, CustomerId, TeamId, UserId};
