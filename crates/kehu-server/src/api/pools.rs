//! Pools (admin): list, create, edit, preview a rule change; locks (owner).

use super::{ApiJson, IdPath};
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::pools::{self as actions, PoolInput, admin_only};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use kehu_domain::ids::CustomerId;
use kehu_store::pools::{Pool, PoolSummary, Preview};
use serde_json::{Value, json};

/// The pool routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/pools", get(list).post(create))
        .route("/api/v1/pools/open", get(open))
        .route("/api/v1/pools/{id}", patch(edit).get(show))
        .route("/api/v1/pools/{id}/preview", post(preview))
        .route("/api/v1/customers/{id}/lock", post(lock).delete(unlock))
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    admin_only(&actor)?;
    Ok(Json(json!({ "items": state.store.pools().await? })))
}

/// The pools the caller may see and claim from (any role).
async fn open(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<PoolSummary>>, ApiError> {
    Ok(Json(state.store.pools_open_to(&actor).await?))
}

async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<Pool>, ApiError> {
    admin_only(&actor)?;
    let pool = state.store.pool(id).await?;
    Ok(Json(pool.ok_or(crate::error::AppError::NotFound)?))
}

async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<PoolInput>,
) -> Result<(StatusCode, Json<Pool>), ApiError> {
    admin_only(&actor)?;
    let new = actions::parse(&state, body, None).await?;
    let id = state.store.create_pool(&actor, &new, state.now()).await?;
    let pool = state.store.pool(id).await?;
    Ok((
        StatusCode::CREATED,
        Json(pool.ok_or(crate::error::AppError::NotFound)?),
    ))
}

async fn edit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<PoolInput>,
) -> Result<Json<Pool>, ApiError> {
    admin_only(&actor)?;
    let base = actions::current(&state, id).await?;
    let new = actions::parse(&state, body, Some(base)).await?;
    state
        .store
        .update_pool(&actor, id, &new, state.now())
        .await?;
    let pool = state.store.pool(id).await?;
    Ok(Json(pool.ok_or(crate::error::AppError::NotFound)?))
}

/// What the body's rules (over the pool's current ones) would recycle tonight; saves nothing.
async fn preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<PoolInput>,
) -> Result<Json<Preview>, ApiError> {
    admin_only(&actor)?;
    let base = actions::current(&state, id).await?;
    let new = actions::parse(&state, body, Some(base)).await?;
    Ok(Json(actions::preview(&state, Some(id), &new).await?))
}

async fn lock(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<Value>, ApiError> {
    actions::set_locked(&state, &actor, CustomerId(id), true).await?;
    Ok(Json(json!({ "locked": true })))
}

async fn unlock(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<Value>, ApiError> {
    actions::set_locked(&state, &actor, CustomerId(id), false).await?;
    Ok(Json(json!({ "locked": false })))
}
