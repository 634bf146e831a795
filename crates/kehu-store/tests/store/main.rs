//! Store tests, each run on SQLite and on PostgreSQL.

mod customers;
mod follow_ups;
mod identity;
mod ownership;
mod search;
mod support;
