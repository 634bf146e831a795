//! `/api/v1/leads`: intake (a source token, or a user entering a lead by hand), and reading
//! leads; `/api/v1/lead-sources`: sources and their intake tokens (admins).

use super::{ApiJson, ApiQuery, IdPath};
use crate::auth::ApiActor;
use crate::auth::token::token_hash;
use crate::error::{ApiError, AppError};
use crate::i18n::{Locale, T};
use crate::leads::sources::{self, SourceInput, TOKEN_PREFIX, TokenInput};
use crate::leads::{self, Sender, explanation_text};
use crate::routing::routing_lines;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::{AUTHORIZATION, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Offset, Utc};
use kehu_domain::customer::Phone;
use kehu_domain::lead::{Explanation, LeadInput};
use kehu_domain::routing::RoutingExplanation;
use kehu_store::leads::{Lead, LeadSource, SourceToken};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The lead routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/leads", get(list).post(intake))
        .route("/api/v1/leads/{id}", get(show))
        .route(
            "/api/v1/lead-sources",
            get(list_sources).post(create_source),
        )
        .route("/api/v1/lead-sources/{id}/tokens", post(create_token))
        .route(
            "/api/v1/lead-sources/{id}/tokens/{token_id}",
            delete(revoke_token),
        )
}

/// Whoever may send a lead: a source's intake token (rate-limited per token) or a user's
/// API token. Anything else is 401.
struct IntakeCaller(Sender);

impl FromRequestParts<AppState> for IntakeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        if !token.starts_with(TOKEN_PREFIX) {
            let ApiActor(actor) = ApiActor::from_request_parts(parts, state).await?;
            return Ok(IntakeCaller(Sender::User(actor)));
        }
        let source = state
            .store
            .lead_source_token(&token_hash(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if let Err(wait) = state
            .intake_limits
            .check(source.token_id, source.rate_per_minute)
        {
            let now = state.now();
            let wait = chrono::Duration::from_std(wait).unwrap_or_default();
            return Err(AppError::RateLimited {
                retry_at: now + wait + chrono::Duration::seconds(1),
                now,
            }
            .into());
        }
        Ok(IntakeCaller(Sender::Token(source)))
    }
}

async fn intake(
    State(state): State<AppState>,
    IntakeCaller(sender): IntakeCaller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<LeadInput>,
) -> Result<Response, ApiError> {
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap_or_default());
    let done = leads::intake(&state, &sender, key, &input).await?;
    let mut resp = (StatusCode::CREATED, Json(&done.receipt)).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/leads/{}", done.receipt.id)) {
        h.insert(LOCATION, v);
    }
    if done.replayed {
        h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(resp)
}

/// A lead as the API shows it.
#[derive(Debug, Serialize)]
pub(super) struct LeadJson {
    id: i64,
    source: Value,
    status: String,
    outcome: String,
    company: Option<String>,
    contact_name: Option<String>,
    phone: Option<String>,
    phone_ext: Option<String>,
    email: Option<String>,
    wechat: Option<String>,
    credit_code: Option<String>,
    province: Option<String>,
    city: Option<String>,
    industry: Option<String>,
    tags: Vec<String>,
    /// The grade the lead stated (routing takes its customer's own grade first).
    grade: Option<String>,
    message: Option<String>,
    extra: Option<Value>,
    assigned_to: Option<Value>,
    assigned_at: Option<DateTime<Utc>>,
    customer: Option<Value>,
    duplicate_of: Option<i64>,
    /// The intake decision as data.
    explanation: Option<Explanation>,
    /// The same in English words.
    explanation_text: String,
    /// The routing decision as data, once routed.
    routing: Option<RoutingExplanation>,
    /// The same in English words, verdict first.
    routing_text: Vec<String>,
    entered_by: Option<String>,
    received_at: DateTime<Utc>,
    /// When the response window closes (or closed); `None` without a window.
    window_due_at: Option<DateTime<Utc>>,
    /// When the assigned rep first answered.
    responded_at: Option<DateTime<Utc>>,
    /// The lead pool (team) it waits or waited in.
    lead_pool: Option<Value>,
}

impl From<Lead> for LeadJson {
    fn from(l: Lead) -> Self {
        let explanation: Option<Explanation> = serde_json::from_str(&l.explanation).ok();
        let explanation_text = explanation
            .as_ref()
            .map(|e| explanation_text(T(Locale::En), e))
            .unwrap_or_default();
        let routing: Option<RoutingExplanation> = l
            .routing
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok());
        let routing_text = routing
            .as_ref()
            .map(|r| routing_lines(T(Locale::En), Utc.fix(), r, l.pool_team_name.as_deref()))
            .unwrap_or_default();
        LeadJson {
            id: l.id,
            source: json!({ "id": l.source_id, "name": l.source_name }),
            status: l.status,
            outcome: l.outcome,
            company: l.company,
            contact_name: l.contact_name,
            phone: l.phone.map(|p| Phone::from_stored(p, None).national()),
            phone_ext: l.phone_ext,
            email: l.email,
            wechat: l.wechat,
            credit_code: l.credit_code,
            province: l.province,
            city: l.city,
            industry: l.industry,
            tags: l
                .tags
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default(),
            grade: l.grade,
            message: l.message,
            extra: l.extra.and_then(|e| serde_json::from_str(&e).ok()),
            assigned_to: l
                .assigned_to
                .map(|id| json!({ "id": id, "name": l.assignee_name })),
            assigned_at: l.assigned_at,
            customer: l
                .customer_id
                .map(|id| json!({ "id": id, "name": l.customer_name })),
            duplicate_of: l.duplicate_of,
            explanation,
            explanation_text,
            routing,
            routing_text,
            entered_by: l.entered_by_name,
            received_at: l.received_at,
            window_due_at: l.window_due_at,
            responded_at: l.responded_at,
            lead_pool: l
                .pool_team_id
                .map(|id| json!({ "team": id, "name": l.pool_team_name })),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let leads = state.store.leads_for(&actor, q.before, limit).await?;
    let next = (leads.len() as i64 == limit)
        .then(|| leads.last().map(|l| l.id))
        .flatten();
    let items: Vec<LeadJson> = leads.into_iter().map(LeadJson::from).collect();
    Ok(Json(json!({ "items": items, "next_before": next })))
}

async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<LeadJson>, ApiError> {
    let lead = state
        .store
        .lead_for(&actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(lead.into()))
}

/// Sources for everyone (a rep picks one when entering a lead); tokens for admins only.
async fn list_sources(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Value>, ApiError> {
    let mut items: Vec<LeadSource> = state.store.lead_sources().await?;
    if !actor.is_admin() {
        items.retain(|s| s.active);
        items.iter_mut().for_each(|s| s.tokens.clear());
    }
    Ok(Json(json!({ "items": items })))
}

async fn create_source(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<SourceInput>,
) -> Result<(StatusCode, Json<LeadSource>), ApiError> {
    let source = sources::create_source(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(source)))
}

/// A new token and its secret, which is never shown again.
#[derive(Debug, Serialize)]
struct NewToken {
    token: SourceToken,
    secret: String,
}

async fn create_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(source): IdPath,
    ApiJson(input): ApiJson<TokenInput>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let (token, secret) = sources::create_token(&state, &actor, source, &input).await?;
    Ok((StatusCode::CREATED, Json(NewToken { token, secret })))
}

async fn revoke_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((source, token)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let parse = |s: &str| s.parse::<i64>().map_err(|_| AppError::NotFound);
    sources::revoke_token(&state, &actor, parse(&source)?, parse(&token)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
