//! Integration tests: a real Kehu server per test, on SQLite and on PostgreSQL.

mod api_access;
mod api_availability;
mod api_customers;
mod api_deals;
mod api_follow_ups;
mod api_fuzzy;
mod api_identity;
mod api_lead_health;
mod api_lead_pool;
mod api_leads;
mod api_leaves;
mod api_merge;
mod api_ownership;
mod api_people;
mod api_pools;
mod api_pools_more;
mod api_response;
mod api_routing;
mod api_routing_dynamic;
mod api_simulator;
mod browser;
mod claim_race;
mod handover_resume;
mod harness;
mod jobs;
mod pages;
