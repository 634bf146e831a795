//! `/appeals`: the appeals queue (managers decide, reps follow theirs), one appeal with its
//! assembled timeline and evidence, the decision form, and filing from the customer page.

use crate::appeals as actions;
use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError};
use crate::i18n::T;
use crate::pages::{Nav, PageId, local_time};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::appeal::{self, Decision};
use kehu_store::appeals::{Appeal, Evidence};
use serde::Deserialize;

/// The appeal routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/appeals", get(list))
        .route("/appeals/{id}", get(show))
        .route("/appeals/{id}/decision", post(decide))
        .route("/appeals/{id}/evidence/{file}", get(evidence))
        .merge(super::appeal_form::router())
}

/// An appeal line in the queue.
pub struct Row {
    id: i64,
    customer: String,
    appellant: String,
    owner: String,
    at: String,
    open: bool,
    decision: String,
}

fn decision_text(t: T, a: &Appeal) -> String {
    let Some(d) = a.decision.as_deref() else {
        return String::new();
    };
    let share = a.appellant_share.unwrap_or_default();
    t.fmt(
        &format!("people.decision_{d}"),
        &[
            ("share", &share.to_string()),
            ("rest", &(100 - share).to_string()),
        ],
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "appeals/list.html")]
struct ListPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    rows: Vec<Row>,
}

async fn list(State(state): State<AppState>, session: Session) -> Result<ListPage, PageError> {
    let t = T(session.locale);
    let offset = state.config.utc_offset;
    let rows = state.store.appeals_for(&session.actor).await?;
    Ok(ListPage {
        t,
        nav: Some(Nav::new(&session, "appeals")),
        flash: None,
        rows: rows
            .iter()
            .map(|a| Row {
                id: a.id,
                customer: a.customer_name.clone(),
                appellant: a.appellant_name.clone(),
                owner: a.owner_name.clone().unwrap_or_default(),
                at: local_time(a.created_at, offset),
                open: a.status == "open",
                decision: decision_text(t, a),
            })
            .collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "appeals/show.html")]
struct ShowPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    title: String,
    a: Appeal,
    filed_at: String,
    decision: String,
    decided: String,
    moments: Vec<(String, String)>,
    evidence: Vec<Evidence>,
    can_decide: bool,
    can_complete: bool,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct ShowParams {
    flash: Option<String>,
}

async fn render(
    state: &AppState,
    session: &Session,
    a: Appeal,
    flash: Option<String>,
    errors: Vec<(String, String)>,
) -> Result<ShowPage, PageError> {
    let t = T(session.locale);
    let offset = state.config.utc_offset;
    let moments = actions::timeline(state, t, CustomerId(a.customer_id)).await?;
    let decided = match (&a.decided_by_name, a.decided_at) {
        (Some(by), Some(at)) => t.fmt(
            "people.decided_by",
            &[("by", by), ("at", &local_time(at, offset))],
        ),
        _ => String::new(),
    };
    Ok(ShowPage {
        t,
        nav: Some(Nav::new(session, "appeals")),
        flash,
        csrf: session.csrf.clone(),
        title: t.fmt(
            "people.appeal_title",
            &[("id", &a.id.to_string()), ("customer", &a.customer_name)],
        ),
        filed_at: local_time(a.created_at, offset),
        decision: decision_text(t, &a),
        decided,
        moments: moments
            .into_iter()
            .map(|m| (local_time(m.at, offset), m.text))
            .collect(),
        evidence: state.store.evidence(a.id).await?,
        can_decide: actions::may_decide(&session.actor, &a),
        can_complete: a.appellant_id == session.actor.user_id.0 && a.status == "open",
        a,
        errors,
    })
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageId(id): PageId,
    Query(p): Query<ShowParams>,
) -> Result<ShowPage, PageError> {
    let t = T(session.locale);
    let a = actions::load(&state, &session.actor, id).await?;
    let flash = p
        .flash
        .filter(|f| f == "appeal_filed" || f == "appeal_decided")
        .map(|f| t.t(&format!("people.flash_{f}")).to_owned());
    render(&state, &session, a, flash, Vec::new()).await
}

#[derive(Debug, Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    appellant_share: Option<String>,
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(session, f): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let parsed = Decision::parse(&f.decision, f.appellant_share.as_deref())
        .and_then(|d| Ok((d, appeal::parse_text("note", &f.note, false)?)));
    let outcome = match parsed {
        Ok((d, note)) => actions::decide(&state, &session.actor, id, d, note.as_deref()).await,
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/appeals/{id}?flash=appeal_decided")).into_response()),
        Err(AppError::Fields(errs)) => {
            let t = T(session.locale);
            let a = actions::load(&state, &session.actor, id).await?;
            let errors = errs
                .0
                .iter()
                .map(|e| (e.field.to_string(), crate::error::field_message(t, e)))
                .collect();
            let mut page = render(&state, &session, a, None, errors).await?;
            page.flash = None;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn evidence(
    State(state): State<AppState>,
    session: Session,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (Ok(id), Ok(file)) = (id.parse::<i64>(), file.parse::<i64>()) else {
        return Err(AppError::NotFound.into());
    };
    let a = actions::load(&state, &session.actor, id).await?;
    let (meta, data) = state
        .store
        .evidence_file(a.id, file)
        .await?
        .ok_or(AppError::NotFound)?;
    // Served as an attachment: uploaded bytes never render as a page of this origin.
    let name: String = meta
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-_".contains(*c))
        .collect();
    Ok((
        [
            (CONTENT_TYPE, meta.content_type),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    if name.is_empty() { "evidence" } else { &name }
                ),
            ),
        ],
        data,
    )
        .into_response())
}
