//! `/api/v1/customers`: list, create, read, update.

mod confirmations;
mod view;

pub use view::{CustomerJson, UserRef};

use super::{ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::i18n::{Locale, T};
use crate::identity::{DuplicateHit, SaveError};
use crate::leads::convert;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kehu_domain::customer::{CustomerInput, CustomerPatch, NewCustomer};
use kehu_domain::error::FieldError;
use kehu_domain::ids::CustomerId;
use kehu_domain::lead::LeadId;
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

/// A body with `confirm_distinct` (the keys of the fuzzy hits the rep confirmed to be
/// different customers) beside the fields of `T`, which still refuses unknown fields.
struct Confirming<T> {
    confirm_distinct: Vec<String>,
    body: T,
}

impl<T: serde::de::DeserializeOwned> Confirming<T> {
    fn parse(mut map: serde_json::Map<String, Value>) -> Result<Self, AppError> {
        let confirm_distinct = match map.remove("confirm_distinct") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => serde_json::from_value(v)
                .map_err(|_| FieldError::new("confirm_distinct", "invalid_type"))?,
        };
        let bytes = serde_json::to_vec(&map).map_err(|e| AppError::Internal(e.to_string()))?;
        let body = super::json::parse(&bytes)?;
        Ok(Self {
            confirm_distinct,
            body,
        })
    }
}

/// 409 `possible_duplicate`: similar customers exist; the hits carry the `key`s to send
/// back in `confirm_distinct`.
fn possible_duplicates(hits: &[DuplicateHit]) -> Response {
    let t = T(Locale::En);
    let detail = t.t("fuzzy.confirm_needed");
    let body = json!({
        "type": "possible_duplicate",
        "title": "Conflict",
        "status": 409,
        "detail": detail,
        "errors": [{ "field": "confirm_distinct", "code": "possible_duplicate", "detail": detail }],
        "possible_duplicates": hits.iter().map(crate::api::check::hit_json).collect::<Vec<_>>(),
    });
    let mut resp = (StatusCode::CONFLICT, Json(body)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    resp
}

fn refused(e: SaveError) -> Response {
    match e {
        SaveError::PossibleDuplicates(hits) => possible_duplicates(&hits),
        SaveError::App(e) => ApiError(e).into_response(),
    }
}

async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<serde_json::Map<String, Value>>,
) -> Result<Response, ApiError> {
    let mut body = body;
    let lead = from_lead(&state, &actor, body.remove(convert::FIELD)).await?;
    let body = Confirming::<CustomerInput>::parse(body)?;
    let new = NewCustomer::parse(&body.body, state.config.utc_offset)?;
    let id = match crate::identity::create(&state, &actor, &new, &body.confirm_distinct).await {
        Ok(id) => id,
        Err(e) => return Ok(refused(e)),
    };
    if let Some(lead) = lead {
        convert::link(&state, &actor, lead, id).await?;
    }
    let json = single(&state, &actor, id).await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// `from_lead` (转为客户): the lead the customer is made from, checked before anything is
/// saved.
async fn from_lead(
    state: &AppState,
    actor: &Actor,
    raw: Option<Value>,
) -> Result<Option<LeadId>, AppError> {
    match raw {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let id = v
                .as_i64()
                .ok_or_else(|| FieldError::new(convert::FIELD, "invalid_type"))?;
            convert::lead_to_convert(state, actor, id).await.map(Some)
        }
    }
}

/// A customer with its contacts and confirmations, for `actor`, or 404.
async fn single(state: &AppState, actor: &Actor, id: CustomerId) -> Result<CustomerJson, AppError> {
    let (view, contacts) = load(state, actor, id).await?;
    crate::collaborators::log_reveal(state, actor, &view, "api").await?;
    let confirmed = confirmations::list(state, actor, id).await?;
    Ok(CustomerJson::new(&view, Some(&contacts)).with_confirmations(confirmed))
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

/// A customer; a merged-away id answers 307 to the record it was merged into (temporary:
/// an admin may undo the merge), when the actor may read that one.
async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::{IntoResponse, Redirect};
    match single(&state, &actor, CustomerId(id)).await {
        Ok(json) => Ok(Json(json).into_response()),
        Err(AppError::NotFound) => match crate::merge::redirect(&state, &actor, CustomerId(id))
            .await?
        {
            Some(to) => Ok(Redirect::temporary(&format!("/api/v1/customers/{to}")).into_response()),
            None => Err(AppError::NotFound.into()),
        },
        Err(e) => Err(e.into()),
    }
}

async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<serde_json::Map<String, Value>>,
) -> Result<Response, ApiError> {
    let body = Confirming::<CustomerPatch>::parse(body)?;
    let view = state
        .store
        .customer_for(&actor, CustomerId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    if !kehu_domain::access::can_change(&actor, view.facts()) {
        // Readable but not editable (a pool customer, a read-only collaborator).
        return Err(AppError::Forbidden.into());
    }
    let edited = body.body.apply(&view.customer, state.config.utc_offset)?;
    let saved =
        crate::identity::update(&state, &actor, &view, &edited, &body.confirm_distinct).await;
    if let Err(e) = saved {
        return Ok(refused(e));
    }
    Ok(Json(single(&state, &actor, CustomerId(id)).await?).into_response())
}
