//! Integration tests: a real Kehu server per test, on SQLite and on PostgreSQL.

mod api_access;
mod api_customers;
mod api_follow_ups;
mod api_identity;
mod api_ownership;
mod browser;
mod claim_race;
mod harness;
mod pages;
