//! `/api/v1/customers/{id}/follow-ups`: log a follow-up, read a customer's follow-ups.

use super::{ApiJson, IdPath};
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::follow_ups as actions;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kehu_domain::followup::FollowUpInput;
use kehu_domain::ids::CustomerId;
use serde::{Deserialize, Serialize};

/// The follow-up routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/customers/{id}/follow-ups", get(list).post(create))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    kind: Option<String>,
    content: Option<String>,
    tags: Option<Vec<String>>,
    duration_secs: Option<u32>,
    contact_id: Option<i64>,
    next_follow_up_at: Option<String>,
}

impl Body {
    fn into_input(self) -> FollowUpInput {
        FollowUpInput {
            kind: self.kind,
            content: self.content,
            tags: self.tags.map(|t| t.join(",")),
            duration_secs: self.duration_secs.map(|d| d.to_string()),
            contact_id: self.contact_id.map(|c| c.to_string()),
            next_follow_up_at: self.next_follow_up_at,
        }
    }
}

async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<Body>,
) -> Result<(StatusCode, Json<actions::Logged>), ApiError> {
    let logged = actions::log(&state, &actor, CustomerId(id), &body.into_input()).await?;
    Ok((StatusCode::CREATED, Json(logged)))
}

/// One follow-up as the API shows it.
#[derive(Debug, Serialize)]
struct FollowUpJson {
    id: i64,
    author: String,
    kind: String,
    content: String,
    tags: Vec<String>,
    duration_secs: Option<i64>,
    contact: Option<String>,
    effective: bool,
    next_follow_up_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
}

/// The list envelope, as every API list answers.
#[derive(Debug, Serialize)]
struct Items {
    items: Vec<FollowUpJson>,
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<Items>, ApiError> {
    let id = CustomerId(id);
    if state.store.customer_for(&actor, id).await?.is_none() {
        return Err(AppError::NotFound.into());
    }
    let list = state.store.follow_ups(id).await?;
    Ok(Json(Items {
        items: list
            .into_iter()
            .map(|f| FollowUpJson {
                tags: f.tag_list(),
                id: f.id,
                author: f.author_name,
                kind: f.kind,
                content: f.content,
                duration_secs: f.duration_secs,
                contact: f.contact_name,
                effective: f.effective,
                next_follow_up_at: f.next_follow_up_at,
                at: f.at,
            })
            .collect(),
    }))
}
