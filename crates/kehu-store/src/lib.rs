#![doc = include_str!("../README.md")]

#[macro_use]
mod db;
mod auth;
pub mod customers;
mod error;
pub mod follow_ups;
pub mod identity;
pub mod ownership;
pub mod requests;
mod rows;
mod settings;
mod users;

pub use db::{Backend, Store};
pub use error::StoreError;
pub use users::{NewUser, Team, UserRecord, UserSummary};
