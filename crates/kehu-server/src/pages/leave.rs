//! `/leave`: the logged-in user's own leave (休假) — see it, record it, cancel it. Managers
//! see and record their people's leave on the team page (`team.rs`), with the same pieces.

use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError, field_message};
use crate::i18n::T;
use crate::leaves as actions;
use crate::pages::Nav;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset, NaiveTime, Utc};
use kehu_domain::pool::LeaveInput;
use kehu_store::leaves::LeaveRecord;
use serde::Deserialize;

/// The own-leave routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leave", get(page).post(record))
        .route("/leave/{id}/cancel", post(cancel))
}

/// One leave as a page lists it.
pub struct LeaveView {
    /// Id, for the cancel form.
    pub id: i64,
    /// Whose.
    pub user_id: i64,
    /// "away 2026-12-01, back 2026-12-06".
    pub span: String,
    /// The note.
    pub note: String,
    /// Going on now.
    pub current: bool,
}

/// A date when the instant is a local midnight, else date and time.
fn when(t: DateTime<Utc>, offset: FixedOffset) -> String {
    let local = t.with_timezone(&offset);
    if local.time() == NaiveTime::MIN {
        local.format("%Y-%m-%d").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// `records` in the page's words.
pub fn views(
    t: T,
    offset: FixedOffset,
    records: Vec<LeaveRecord>,
    now: DateTime<Utc>,
) -> Vec<LeaveView> {
    records
        .into_iter()
        .map(|r| LeaveView {
            id: r.id,
            user_id: r.user_id,
            span: t.fmt(
                "leave.span",
                &[
                    ("from", &when(r.from, offset)),
                    ("until", &when(r.until, offset)),
                ],
            ),
            current: r.current(now),
            note: r.note,
        })
        .collect()
}

/// The leave form as posted: dates (or date-times) and a note.
#[derive(Debug, Default, Deserialize)]
pub struct LeaveForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    note: String,
}

impl LeaveForm {
    /// The raw input for the domain's parser.
    pub fn input(&self) -> LeaveInput {
        LeaveInput {
            from: Some(self.from.clone()),
            until: Some(self.until.clone()),
            note: Some(self.note.clone()),
        }
    }
}

/// A refused leave form, shown again beside its user with the errors and what was typed.
pub struct LeaveRetry {
    /// Whose form.
    pub user_id: i64,
    /// As typed.
    pub from: String,
    /// As typed.
    pub until: String,
    /// As typed.
    pub note: String,
    /// "Back on: must be after the first day away" …
    pub errors: Vec<String>,
}

impl LeaveRetry {
    /// The retry state when `err` is a field error; other errors pass through.
    pub fn of(t: T, user_id: i64, form: LeaveForm, err: AppError) -> Result<LeaveRetry, AppError> {
        let AppError::Fields(errs) = err else {
            return Err(err);
        };
        let errors = errs
            .0
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    t.t(&format!("leave.field_{}", e.field)),
                    field_message(t, e)
                )
            })
            .collect();
        Ok(LeaveRetry {
            user_id,
            from: form.from,
            until: form.until,
            note: form.note,
            errors,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "leave.html")]
struct LeavePage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    user_id: i64,
    leaves: Vec<LeaveView>,
    retry: Option<LeaveRetry>,
}

impl LeavePage {
    fn leaves_of(&self, _user: &i64) -> &[LeaveView] {
        &self.leaves
    }

    fn retry_for(&self, _user: &i64) -> Option<&LeaveRetry> {
        self.retry.as_ref()
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Option<String>,
    retry: Option<LeaveRetry>,
) -> Result<LeavePage, PageError> {
    let t = T(session.locale);
    let me = session.actor.user_id;
    let records = state.store.upcoming_leaves(&[me.0], state.now()).await?;
    Ok(LeavePage {
        t,
        nav: Some(Nav::new(session, "leave")),
        flash,
        csrf: session.csrf.clone(),
        user_id: me.0,
        leaves: views(t, state.config.utc_offset, records, state.now()),
        retry,
    })
}

#[derive(Debug, Deserialize)]
struct FlashQuery {
    flash: Option<String>,
}

/// Flash messages of the leave forms (`?flash=leave_recorded` …).
pub fn flash(t: T, key: Option<&str>) -> Option<String> {
    key.filter(|k| ["leave_recorded", "leave_cancelled"].contains(k))
        .map(|k| t.t(&format!("leave.flash_{k}")).to_owned())
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    axum::extract::Query(q): axum::extract::Query<FlashQuery>,
) -> Result<LeavePage, PageError> {
    let flash = flash(T(session.locale), q.flash.as_deref());
    render(&state, &session, flash, None).await
}

async fn record(
    State(state): State<AppState>,
    CsrfForm(session, form): CsrfForm<LeaveForm>,
) -> Result<Response, PageError> {
    let me = session.actor.user_id.0;
    match actions::record(&state, &session.actor, me, &form.input()).await {
        Ok(_) => Ok(Redirect::to("/leave?flash=leave_recorded").into_response()),
        Err(e) => {
            let retry = LeaveRetry::of(T(session.locale), me, form, e)?;
            let page = render(&state, &session, None, Some(retry)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
struct CancelForm {}

async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(session, CancelForm {}): CsrfForm<CancelForm>,
) -> Result<Redirect, PageError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    actions::cancel(&state, &session.actor, session.actor.user_id.0, id).await?;
    Ok(Redirect::to("/leave?flash=leave_cancelled"))
}
