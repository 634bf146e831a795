//! Bulk transfer: hand over every customer of a rep in one step.

use super::{ApiJson, IdPath};
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::ownership::{TransferReport, transfer_all};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use kehu_domain::error::FieldError;
use kehu_domain::ids::UserId;
use serde::Deserialize;

/// The bulk transfer route.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/users/{id}/transfer-customers",
        post(transfer_customers),
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    to: Option<i64>,
    reason: Option<String>,
}

async fn transfer_customers(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(from): IdPath,
    ApiJson(body): ApiJson<Body>,
) -> Result<Json<TransferReport>, ApiError> {
    let to = body
        .to
        .ok_or_else(|| AppError::from(FieldError::new("to", "required")))?;
    let report = transfer_all(
        &state,
        &actor,
        UserId(from),
        UserId(to),
        body.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(report))
}
