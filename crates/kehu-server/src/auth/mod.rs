//! Authentication: passwords, sessions, API tokens, CSRF, login throttling.

pub mod password;
pub mod token;
