//! `/api/v1/customers/merge` (managers, admins) and `/api/v1/merges/{id}/revert` (admins).

use super::customers::{CustomerJson, load};
use super::{ApiJson, IdPath};
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::merge;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use kehu_domain::customer::merge::MergeInput;
use kehu_store::merge::RevertOutcome;
use serde_json::{Value, json};

/// The merge routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers/merge", post(create))
        .route("/api/v1/merges/{id}/revert", post(revert))
}

/// Merges the records of the body into `kept`, field by field; answers the merge's id and
/// the kept customer as it is now.
async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<MergeInput>,
) -> Result<Json<Value>, ApiError> {
    let (id, kept) = merge::merge(&state, &actor, &input).await?;
    let (view, contacts) = load(&state, &actor, kept).await?;
    Ok(Json(json!({
        "merge_id": id,
        "customer": CustomerJson::new(&view, Some(&contacts)),
    })))
}

/// Undoes a merge (admins).
async fn revert(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<RevertOutcome>, ApiError> {
    Ok(Json(merge::revert(&state, &actor, id).await?))
}
