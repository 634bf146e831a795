//! The lead pool over the API: `GET /api/v1/leads/pool` (what the caller may claim),
//! `GET /api/v1/leads/{id}/history` (earlier inquiries, past owners, last touch) and
//! `POST /api/v1/leads/{id}/claim`.

use super::IdPath;
use super::leads::LeadJson;
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::leads::pool::{self, History};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// The lead-pool routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/leads/pool", get(list))
        .route("/api/v1/leads/{id}/history", get(history))
        .route("/api/v1/leads/{id}/claim", post(claim))
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let leads = state.store.pooled_leads_for(&actor, 200).await?;
    let items: Vec<LeadJson> = leads.into_iter().map(LeadJson::from).collect();
    Ok(Json(json!({ "items": items })))
}

async fn history(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<History>, ApiError> {
    let lead = state
        .store
        .lead_for(&actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(pool::history(&state, &actor, &lead).await?))
}

async fn claim(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<LeadJson>, ApiError> {
    pool::claim(&state, &actor, id).await?;
    let lead = state
        .store
        .lead_for(&actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(lead.into()))
}
