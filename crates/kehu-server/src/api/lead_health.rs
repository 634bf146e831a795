//! `GET /api/v1/leads/health`: allocation health as data (managers: their subtree; admins:
//! everyone; reps: 403).

use super::leads::LeadJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::leads::health::report;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

/// The route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/leads/health", get(health))
}

async fn health(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let h = report(&state, &actor).await?;
    let reps: Vec<Value> = h
        .reps
        .iter()
        .map(|l| {
            json!({
                "user": { "id": l.counts.user.0, "name": l.counts.name },
                "received_7": l.counts.received_7,
                "received_30": l.counts.received_30,
                "share_7": l.share_7,
                "share_30": l.share_30,
                "target": l.target,
                "deviation_30": l.deviation_30,
                "unanswered": l.counts.open,
                "windows_missed_30": l.counts.breached_30,
                "oldest_unanswered_at": l.counts.oldest_open,
            })
        })
        .collect();
    let waiting: Vec<LeadJson> = h.waiting.into_iter().map(LeadJson::from).collect();
    Ok(Json(
        json!({ "reps": reps, "regions": h.regions, "waiting": waiting }),
    ))
}
