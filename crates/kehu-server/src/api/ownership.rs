//! Claim, release, transfer, and the ownership history of a customer.

use super::customers::{CustomerJson, UserRef, load};
use super::{ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::ownership as actions;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kehu_domain::error::FieldError;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::LedgerEntry;
use serde::Deserialize;
use serde_json::{Value, json};

/// The ownership routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers/{id}/claim", post(claim))
        .route("/api/v1/customers/{id}/release", post(release))
        .route("/api/v1/customers/{id}/transfer", post(transfer))
        .route("/api/v1/customers/{id}/ownership", get(history))
        .route("/api/v1/customers/{id}/owner", get(owner_at))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferBody {
    to: Option<i64>,
    reason: Option<String>,
}

async fn respond(
    state: &AppState,
    actor: &kehu_domain::Actor,
    id: CustomerId,
) -> Result<Json<CustomerJson>, ApiError> {
    let (view, contacts) = load(state, actor, id).await?;
    Ok(Json(CustomerJson::new(&view, Some(&contacts))))
}

async fn claim(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<CustomerJson>, ApiError> {
    // Answered from the row the claim read before writing and what it wrote: no read-back.
    let (view, contacts) = actions::claim(&state, &actor, CustomerId(id)).await?;
    Ok(Json(CustomerJson::new(&view, Some(&contacts))))
}

async fn release(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<CustomerJson>, ApiError> {
    actions::release(
        &state,
        &actor,
        CustomerId(id),
        body.reason.as_deref().unwrap_or(""),
    )
    .await?;
    respond(&state, &actor, CustomerId(id)).await
}

async fn transfer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<TransferBody>,
) -> Result<Json<CustomerJson>, ApiError> {
    let to = body
        .to
        .ok_or_else(|| AppError::from(FieldError::new("to", "required")))?;
    actions::transfer(
        &state,
        &actor,
        CustomerId(id),
        UserId(to),
        body.reason.as_deref().unwrap_or(""),
    )
    .await?;
    respond(&state, &actor, CustomerId(id)).await
}

/// One ledger event as JSON.
pub fn entry_json(e: &LedgerEntry) -> Value {
    let user = |id: Option<UserId>, name: &Option<String>| {
        id.map(|id| UserRef {
            id: id.0,
            name: name.clone(),
        })
    };
    json!({
        "id": e.id,
        "kind": e.kind,
        "at": e.at,
        "from": user(e.from_user, &e.from_name),
        "to": user(e.to_user, &e.to_name),
        "by": UserRef { id: e.by_user.0, name: Some(e.by_name.clone()) },
        "reason": e.reason,
        "rule": e.rule,
    })
}

async fn history(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<Value>, ApiError> {
    let id = CustomerId(id);
    state
        .store
        .customer_for(&actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let events: Vec<_> = state
        .store
        .ledger(id)
        .await?
        .iter()
        .map(entry_json)
        .collect();
    Ok(Json(json!({ "customer_id": id.0, "events": events })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AtParams {
    at: Option<String>,
}

async fn owner_at(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiQuery(params): ApiQuery<AtParams>,
) -> Result<Json<Value>, ApiError> {
    let id = CustomerId(id);
    state
        .store
        .customer_for(&actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let at: DateTime<Utc> = match params.at.as_deref() {
        None | Some("") => state.now(),
        Some(raw) => kehu_domain::customer::parse_datetime("at", raw, state.config.utc_offset)?,
    };
    let event = state.store.ledger_at(id, at).await?;
    let owner = event.as_ref().and_then(|e| {
        e.to_user.map(|u| UserRef {
            id: u.0,
            name: e.to_name.clone(),
        })
    });
    Ok(Json(json!({
        "customer_id": id.0,
        "at": at,
        "owner": owner,
        "since": event.as_ref().map(|e| e.at),
        "event": event.as_ref().map(entry_json),
    })))
}
