//! `/api/v1/users/{id}/leaves`: a user's recorded leave (休假) — list, record, cancel.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::leaves as actions;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use kehu_domain::pool::LeaveInput;
use kehu_store::leaves::LeaveRecord;
use serde::{Deserialize, Serialize};

/// The leave routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users/{id}/leaves", get(list).post(create))
        .route("/api/v1/users/{id}/leaves/{leave_id}", delete(cancel))
}

#[derive(Debug, Serialize)]
struct Items {
    items: Vec<LeaveRecord>,
}

/// A path id; anything but a number is a record that does not exist.
fn id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(user): Path<String>,
) -> Result<Json<Items>, ApiError> {
    let items = actions::list(&state, &actor, id(&user)?).await?;
    Ok(Json(Items { items }))
}

/// `from` and `until` (RFC 3339, or a date meaning the team's midnight), an optional `note`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    from: Option<String>,
    until: Option<String>,
    note: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(user): Path<String>,
    ApiJson(body): ApiJson<Body>,
) -> Result<(StatusCode, Json<LeaveRecord>), ApiError> {
    let input = LeaveInput {
        from: body.from,
        until: body.until,
        note: body.note,
    };
    let leave = actions::record(&state, &actor, id(&user)?, &input).await?;
    Ok((StatusCode::CREATED, Json(leave)))
}

async fn cancel(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((user, leave)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    actions::cancel(&state, &actor, id(&user)?, id(&leave)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
