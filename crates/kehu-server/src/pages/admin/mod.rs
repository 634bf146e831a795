//! Admin pages: pools and their rules; which follow-ups count, the protection period and
//! which identity keys are strong;
//! the routing simulator (admins and managers).

mod lead_sources;
mod pool_form;
mod pools;
mod protection_overrides;
mod rules;
mod simulator;
mod simulator_chart;
mod strong_keys;

use crate::state::AppState;
use axum::Router;

/// The admin routes.
pub fn router() -> Router<AppState> {
    pools::router()
        .merge(lead_sources::router())
        .merge(rules::router())
        .merge(protection_overrides::router())
        .merge(strong_keys::router())
        .merge(simulator::router())
}
