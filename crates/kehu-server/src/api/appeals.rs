//! `/api/v1/appeals`: file an appeal on a customer, add evidence, read the queue and one
//! appeal with its timeline, decide.

use super::{ApiJson, IdPath};
use crate::appeals as actions;
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::i18n::{Locale, T};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use kehu_domain::error::FieldError;
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::appeal::Decision;
use kehu_store::appeals::{Appeal, Evidence, NewEvidence};
use serde::{Deserialize, Serialize};

/// The appeal routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers/{id}/appeals", post(file))
        .route("/api/v1/appeals", get(list))
        .route("/api/v1/appeals/{id}", get(show))
        .route("/api/v1/appeals/{id}/evidence", post(add_evidence))
        .route("/api/v1/appeals/{id}/decision", post(decide))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileBody {
    statement: Option<String>,
}

#[derive(Debug, Serialize)]
struct Created {
    id: i64,
}

async fn file(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<FileBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let statement = body.statement.unwrap_or_default();
    let id = actions::file(&state, &actor, CustomerId(id), &statement, &[]).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Deserialize)]
struct FileName {
    name: Option<String>,
}

/// One evidence file as the raw body, its name in `?name=` and its type in `Content-Type`.
async fn add_evidence(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    Query(q): Query<FileName>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let a = actions::load(&state, &actor, id).await?;
    if a.appellant_id != actor.user_id.0 {
        return Err(AppError::Forbidden.into());
    }
    let name = q.name.filter(|n| !n.trim().is_empty());
    let name = name.ok_or_else(|| AppError::from(FieldError::new("name", "required")))?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let file = NewEvidence {
        name,
        content_type,
        data: body.to_vec(),
    };
    actions::check_files(std::slice::from_ref(&file))?;
    state
        .store
        .file_appeal(
            CustomerId(a.customer_id),
            &actor,
            None,
            &[file],
            state.now(),
        )
        .await
        .map_err(|e| match e {
            kehu_store::StoreError::Conflict { .. } => {
                AppError::from(FieldError::new("evidence", "too_many_files"))
            }
            e => e.into(),
        })?;
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Serialize)]
struct Items {
    items: Vec<Appeal>,
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Items>, ApiError> {
    Ok(Json(Items {
        items: state.store.appeals_for(&actor).await?,
    }))
}

#[derive(Debug, Serialize)]
struct Detail {
    #[serde(flatten)]
    appeal: Appeal,
    evidence: Vec<Evidence>,
    timeline: Vec<actions::Moment>,
    can_decide: bool,
}

async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<Detail>, ApiError> {
    let a = actions::load(&state, &actor, id).await?;
    let timeline = actions::timeline(&state, T(Locale::En), CustomerId(a.customer_id)).await?;
    Ok(Json(Detail {
        evidence: state.store.evidence(a.id).await?,
        can_decide: actions::may_decide(&actor, &a),
        appeal: a,
        timeline,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    decision: Option<String>,
    appellant_share: Option<u8>,
    note: Option<String>,
}

async fn decide(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<Appeal>, ApiError> {
    let share = body.appellant_share.map(|s| s.to_string());
    let decision = Decision::parse(body.decision.as_deref().unwrap_or(""), share.as_deref())?;
    let note = kehu_domain::ownership::appeal::parse_text(
        "note",
        body.note.as_deref().unwrap_or(""),
        false,
    )?;
    actions::decide(&state, &actor, id, decision, note.as_deref()).await?;
    // Read unfiltered: the customer may have left the decider's scope with the decision.
    let decided = state.store.appeal(id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(decided))
}
