//! Integration tests: a real Kehu server per test, on SQLite and on PostgreSQL.

mod api_access;
mod api_customers;
mod api_follow_ups;
mod api_fuzzy;
mod api_identity;
mod api_merge;
mod api_ownership;
mod api_people;
mod api_pools;
mod browser;
mod claim_race;
mod harness;
mod jobs;
mod pages;
