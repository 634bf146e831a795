//! `/api/v1/customers/{id}/collaborators`: list, add (or change access), remove.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::collaborators as actions;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use kehu_domain::error::FieldError;
use kehu_domain::ids::CustomerId;
use kehu_store::collaborators::Collaborator;
use serde::{Deserialize, Serialize};

/// The collaborator routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers/{id}/collaborators", get(list).post(add))
        .route(
            "/api/v1/customers/{id}/collaborators/{user_id}",
            delete(remove),
        )
}

#[derive(Debug, Serialize)]
struct Items {
    items: Vec<Collaborator>,
}

fn ids(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Items>, ApiError> {
    let id = CustomerId(ids(&id)?);
    if state.store.customer_for(&actor, id).await?.is_none() {
        return Err(AppError::NotFound.into());
    }
    Ok(Json(Items {
        items: state.store.collaborators(id).await?,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    user_id: Option<i64>,
    access: Option<String>,
}

async fn add(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Body>,
) -> Result<(StatusCode, Json<Items>), ApiError> {
    let id = CustomerId(ids(&id)?);
    let user = body
        .user_id
        .ok_or_else(|| AppError::from(FieldError::new("user_id", "required")))?;
    let access = actions::parse_access(body.access.as_deref().unwrap_or("read"))?;
    actions::add(&state, &actor, id, user, access).await?;
    Ok((
        StatusCode::CREATED,
        Json(Items {
            items: state.store.collaborators(id).await?,
        }),
    ))
}

async fn remove(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, user)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    actions::remove(&state, &actor, CustomerId(ids(&id)?), ids(&user)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
