//! `/api/v1/notifications`: the caller's inbox, and marking it read.

use super::IdPath;
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::i18n::{Locale, T};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The notification routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/read", post(read_all))
        .route("/api/v1/notifications/{id}/read", post(read_one))
}

#[derive(Debug, Serialize)]
struct NotificationJson {
    id: i64,
    kind: String,
    customer_id: Option<i64>,
    /// The message in English (pages show it in the reader's language).
    message: String,
    params: std::collections::BTreeMap<String, String>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
struct Inbox {
    unread: i64,
    items: Vec<NotificationJson>,
}

#[derive(Debug, Deserialize)]
struct Params {
    #[serde(default)]
    unread: bool,
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<Params>,
) -> Result<Json<Inbox>, ApiError> {
    let list = state
        .store
        .notifications(actor.user_id, p.unread, 200)
        .await?;
    let unread = state.store.unread_count(actor.user_id).await?;
    let t = T(Locale::En);
    Ok(Json(Inbox {
        unread,
        items: list
            .into_iter()
            .map(|n| NotificationJson {
                message: crate::notifications::message(t, &n),
                params: n.param_map(),
                id: n.id,
                kind: n.kind,
                customer_id: n.customer_id,
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect(),
    }))
}

async fn read_one(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    let changed = state
        .store
        .mark_notifications_read(actor.user_id, Some(id), state.now())
        .await?;
    if changed == 0 {
        // Another user's notification, or one already read, or none at all.
        let mine = state
            .store
            .notifications(actor.user_id, false, 1000)
            .await?;
        if !mine.iter().any(|n| n.id == id) {
            return Err(AppError::NotFound.into());
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn read_all(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .mark_notifications_read(actor.user_id, None, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
