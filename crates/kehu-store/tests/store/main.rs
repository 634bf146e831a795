//! Store tests, each run on SQLite and on PostgreSQL.

mod bulk;
mod customers;
mod follow_ups;
mod identity;
mod match_index;
mod merge;
mod ownership;
mod people;
mod pools;
mod review;
mod search;
mod support;
