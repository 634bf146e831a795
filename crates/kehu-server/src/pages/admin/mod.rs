//! Admin pages: pools and their rules; which follow-ups count and the protection period.

mod pool_form;
mod pools;
mod rules;

use crate::state::AppState;
use axum::Router;

/// The admin routes.
pub fn router() -> Router<AppState> {
    pools::router().merge(rules::router())
}
