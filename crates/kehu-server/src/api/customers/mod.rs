//! `/api/v1/customers`: list, create, read, update.

mod view;

pub use view::{CustomerJson, UserRef};

use super::{ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use kehu_domain::customer::{CustomerInput, CustomerPatch, NewCustomer};
use kehu_domain::error::FieldError;
use kehu_domain::ids::CustomerId;
use kehu_domain::{Actor, Role};
use kehu_store::customers::{CustomerView, ListQuery, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

/// The customer routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers", get(list).post(create))
        .route("/api/v1/customers/{id}", get(show).patch(update))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    scope: Option<String>,
    q: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

/// Parses a list scope; `team` is for managers and admins only.
pub fn parse_scope(actor: &Actor, raw: Option<&str>) -> Result<Scope, AppError> {
    let scope = match raw.unwrap_or("mine") {
        "mine" => Scope::Mine,
        "team" => Scope::Team,
        "pool" => Scope::Pool,
        "shared" => Scope::Shared,
        _ => return Err(FieldError::new("scope", "unknown_value").into()),
    };
    if scope == Scope::Team && actor.role == Role::Rep {
        return Err(AppError::Forbidden);
    }
    Ok(scope)
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let scope = parse_scope(&actor, params.scope.as_deref())?;
    let limit = params.limit.unwrap_or(50).clamp(1, 200);
    let query = ListQuery {
        scope,
        q: params.q,
        before: params.before,
        limit,
    };
    let views = state.store.list_customers(&actor, &query).await?;
    let next = (views.len() as i64 == limit)
        .then(|| views.last().map(|v| v.customer.id.0))
        .flatten();
    let items: Vec<_> = views.iter().map(|v| CustomerJson::new(v, None)).collect();
    Ok(Json(json!({ "items": items, "next_before": next })))
}

async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<CustomerInput>,
) -> Result<(StatusCode, Json<CustomerJson>), ApiError> {
    let new = NewCustomer::parse(&input, state.config.utc_offset)?;
    let id = crate::identity::create(&state, &actor, &new).await?;
    let (view, contacts) = load(&state, &actor, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CustomerJson::new(&view, Some(&contacts))),
    ))
}

/// Loads a customer and its contacts for `actor`, or 404.
pub async fn load(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
) -> Result<(CustomerView, Vec<kehu_store::customers::Contact>), AppError> {
    let view = state
        .store
        .customer_for(actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contacts = state.store.contacts(id).await?;
    Ok((view, contacts))
}

async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<CustomerJson>, ApiError> {
    let (view, contacts) = load(&state, &actor, CustomerId(id)).await?;
    Ok(Json(CustomerJson::new(&view, Some(&contacts))))
}

async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<CustomerPatch>,
) -> Result<Json<CustomerJson>, ApiError> {
    let view = state
        .store
        .customer_for(&actor, CustomerId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    if !kehu_domain::access::can_change(&actor, view.facts()) {
        // Readable but not editable (a pool customer, a read-only collaborator).
        return Err(AppError::Forbidden.into());
    }
    let edited = patch.apply(&view.customer, state.config.utc_offset)?;
    crate::identity::update(&state, &actor, &view, &edited).await?;
    let (view, contacts) = load(&state, &actor, CustomerId(id)).await?;
    Ok(Json(CustomerJson::new(&view, Some(&contacts))))
}
