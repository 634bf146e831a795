//! Admin pages: pools and their rules.

mod pool_form;
mod pools;

use crate::state::AppState;
use axum::Router;

/// The admin routes.
pub fn router() -> Router<AppState> {
    pools::router()
}
