//! `/api/v1/routing-rules`: the ordered routing rule list, read and replaced whole (admins).

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::routing;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kehu_domain::routing::RoutingRule;
use serde::{Deserialize, Serialize};

/// The routing rule routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/routing-rules", get(list).put(replace))
}

/// The whole list, in order.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rules {
    rules: Vec<RoutingRule>,
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Rules>, ApiError> {
    let rules = routing::rules(&state, &actor).await?;
    Ok(Json(Rules { rules }))
}

async fn replace(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<Rules>,
) -> Result<Json<Rules>, ApiError> {
    routing::save_rules(&state, &actor, &body.rules).await?;
    let rules = routing::rules(&state, &actor).await?;
    Ok(Json(Rules { rules }))
}
