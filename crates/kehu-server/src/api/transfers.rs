//! Bulk transfer: hand over every customer of a rep in one step — to one rep, spread over a
//! team, or back to the pool.

use super::{ApiJson, IdPath};
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::handover::{self, Destination};
use crate::ownership::TransferReport;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use kehu_domain::error::FieldError;
use kehu_domain::ids::{TeamId, UserId};
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
    /// One rep receives everything.
    to: Option<i64>,
    /// Spread over this team's active reps.
    team: Option<i64>,
    /// Back to the pool.
    #[serde(default)]
    pool: bool,
    reason: Option<String>,
}

impl Body {
    /// Exactly one of `to`, `team`, `pool`.
    fn destination(&self) -> Result<Destination, AppError> {
        match (self.to, self.team, self.pool) {
            (Some(to), None, false) => Ok(Destination::Rep(UserId(to))),
            (None, Some(team), false) => Ok(Destination::Team(TeamId(team))),
            (None, None, true) => Ok(Destination::Pool),
            (None, None, false) => Err(FieldError::new("to", "required").into()),
            _ => Err(FieldError::new("to", "one_target_only").into()),
        }
    }
}

/// Hands over every customer of a rep (synchronously: the answer is the report).
async fn transfer_customers(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(from): IdPath,
    ApiJson(body): ApiJson<Body>,
) -> Result<Json<TransferReport>, ApiError> {
    let to = body.destination()?;
    let reason = body.reason.as_deref().unwrap_or("");
    let plan = handover::plan(&state, &actor, UserId(from), to, reason).await?;
    Ok(Json(handover::run(&state, &actor, &plan, None).await?))
}
