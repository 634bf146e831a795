//! Authentication: passwords, sessions, API tokens, CSRF, login throttling.

pub mod extract;
pub mod login;
pub mod password;
pub mod token;

pub use extract::{ApiActor, ClientIp, CsrfForm, Lang, Session};
