//! `/api/v1/availability`: the HR feed's push (admins' tokens) and its status, and
//! `/api/v1/settings/availability`: its heartbeat and the routing fallback (admins change).

use super::ApiJson;
use crate::auth::ApiActor;
use crate::availability::{self, FEED_SETTINGS};
use crate::error::{ApiError, AppError};
use crate::pools::admin_only;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kehu_domain::availability::FeedSettings;
use serde_json::{Value, json};

/// The availability routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/availability", get(status).put(push))
        .route(
            "/api/v1/settings/availability",
            get(settings).put(put_settings),
        )
}

/// The raw body: a push that is not even JSON is recorded as a failing push too.
async fn push(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let records = availability::push(&state, &actor, &body).await?;
    Ok(Json(json!({ "accepted": records, "at": state.now() })))
}

async fn status(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    admin_only(&actor)?;
    let (health, settings) = availability::health(&state).await?;
    let feed = state.store.feed_state().await?;
    let errors: Value = feed
        .last_error
        .as_deref()
        .and_then(|e| serde_json::from_str(e).ok())
        .unwrap_or(Value::Null);
    Ok(Json(json!({
        "health": health,
        "last_ok_at": feed.status.last_ok_at,
        "records": feed.records,
        "failing_since": feed.status.failing_since,
        "last_errors": errors,
        "settings": settings,
    })))
}

async fn settings(
    State(state): State<AppState>,
    ApiActor(_): ApiActor,
) -> Result<Json<FeedSettings>, ApiError> {
    Ok(Json(state.store.setting(FEED_SETTINGS).await?))
}

async fn put_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(settings): ApiJson<FeedSettings>,
) -> Result<Json<FeedSettings>, ApiError> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden.into());
    }
    settings.validate()?;
    state
        .store
        .put_setting(&actor, FEED_SETTINGS, &settings, state.now())
        .await?;
    Ok(Json(settings))
}
