//! Response windows over the API: `PUT/DELETE /api/v1/lead-sources/{id}/response-window`
//! (admins), `POST /api/v1/leads/{id}/respond` (the assigned rep) and the lead's history,
//! `GET /api/v1/leads/{id}/events`.

use super::{ApiJson, IdPath};
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::leads::response::{self, RespondInput};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kehu_domain::lead::{LeadId, ResponseWindow, ResponseWindowInput};
use kehu_store::leads::LeadEvent;
use serde_json::{Value, json};

/// The response-window routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/lead-sources/{id}/response-window",
            put(set_window).delete(remove_window),
        )
        .route("/api/v1/leads/{id}/respond", post(respond))
        .route("/api/v1/leads/{id}/events", get(events))
}

async fn set_window(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(source): IdPath,
    ApiJson(input): ApiJson<ResponseWindowInput>,
) -> Result<Json<Option<ResponseWindow>>, ApiError> {
    Ok(Json(
        response::set_window(&state, &actor, source, Some(&input)).await?,
    ))
}

async fn remove_window(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(source): IdPath,
) -> Result<StatusCode, ApiError> {
    response::set_window(&state, &actor, source, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn respond(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<RespondInput>,
) -> Result<Json<Value>, ApiError> {
    response::respond(&state, &actor, id, &input).await?;
    let lead = state
        .store
        .lead_for(&actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(json!({
        "id": lead.id,
        "responded_at": lead.responded_at,
        "window_due_at": lead.window_due_at,
    })))
}

async fn events(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<Value>, ApiError> {
    if state.store.lead_for(&actor, id).await?.is_none() {
        return Err(AppError::NotFound.into());
    }
    let items: Vec<LeadEvent> = state.store.lead_events(LeadId(id)).await?;
    Ok(Json(json!({ "items": items })))
}
