//! Store tests, each run on SQLite and on PostgreSQL.

mod customers;
mod identity;
mod ownership;
mod search;
mod support;
