//! Kehu's HTTP edge.
pub mod auth;
pub mod demo;
