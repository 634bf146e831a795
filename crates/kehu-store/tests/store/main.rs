//! Store tests, each run on SQLite and on PostgreSQL.

mod bulk;
mod customers;
mod deals;
mod follow_ups;
mod identity;
mod match_index;
mod match_key_counts;
mod merge;
mod ownership;
mod people;
mod pools;
mod review;
mod search;
mod strong_keys;
mod support;
