//! `POST /api/v1/routing/simulate`: replay a date range of leads through a draft rule list
//! and the live one, side by side (admins and managers). Nothing is written.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::simulator::{self, Comparison, SimulateInput};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};

/// The simulator route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/routing/simulate", post(simulate))
}

async fn simulate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<SimulateInput>,
) -> Result<Json<Comparison>, ApiError> {
    Ok(Json(simulator::run(&state, &actor, &input).await?))
}
