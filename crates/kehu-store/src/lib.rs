#![doc = include_str!("../README.md")]

#[macro_use]
mod db;
pub mod appeals;
mod auth;
pub mod availability;
pub mod collaborators;
pub mod customers;
pub mod deals;
pub mod distinct;
mod error;
pub mod follow_ups;
pub mod handovers;
pub mod identity;
pub mod leads;
pub mod leaves;
pub mod match_index;
pub mod merge;
pub mod notifications;
pub mod ownership;
pub mod pools;
mod recycle;
pub mod requests;
pub mod reveal;
pub mod review;
pub mod routing;
mod rows;
mod settings;
mod users;

pub use db::{Backend, Store};
pub use error::StoreError;
pub use recycle::{Recycle, RecycleWarning};
pub use users::{NewUser, Team, UserRecord, UserSummary};
