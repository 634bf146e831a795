//! Admin pages: pools and their rules; which follow-ups count and the protection period.

mod lead_sources;
mod pool_form;
mod pools;
mod protection_overrides;
mod rules;

use crate::state::AppState;
use axum::Router;

/// The admin routes.
pub fn router() -> Router<AppState> {
    pools::router()
        .merge(lead_sources::router())
        .merge(rules::router())
        .merge(protection_overrides::router())
}
