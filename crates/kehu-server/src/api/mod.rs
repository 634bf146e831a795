//! The JSON API under `/api/v1`: bearer tokens, problem+json errors.

mod appeals;
mod availability;
mod check;
mod collaborators;
mod customers;
mod deals;
mod extract;
mod follow_ups;
pub(crate) mod json;
mod lead_health;
mod lead_pool;
mod lead_response;
mod leads;
mod leaves;
mod merge;
mod notifications;
mod ownership;
mod pools;
mod routing;
mod settings;
mod simulator;
mod territory;
mod transfers;

pub use customers::parse_scope as customers_scope;
pub use extract::{ApiQuery, IdPath};
pub use json::ApiJson;
pub(crate) use json::parse as parse_json;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;

/// Every API route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/health", get(health))
        .merge(check::router())
        .merge(collaborators::router())
        .merge(notifications::router())
        .merge(appeals::router())
        .merge(customers::router())
        .merge(deals::router())
        .merge(follow_ups::router())
        .merge(leads::router())
        .merge(leaves::router())
        .merge(availability::router())
        .merge(lead_health::router())
        .merge(lead_pool::router())
        .merge(lead_response::router())
        .merge(merge::router())
        .merge(ownership::router())
        .merge(pools::router())
        .merge(routing::router())
        .merge(settings::router())
        .merge(territory::router())
        .merge(simulator::router())
        .merge(transfers::router())
        .fallback(not_found)
}

/// Liveness and database reachability, without authentication.
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match state.store.ping().await {
        Ok(()) => axum::Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "database unavailable" })),
            )
                .into_response()
        }
    }
}

async fn not_found() -> crate::error::ApiError {
    crate::error::AppError::NotFound.into()
}
