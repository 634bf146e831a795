//! `/team`: the members a manager (or admin) oversees, with a one-step hand-over of all of
//! a member's customers (to a rep, spread over a team, or to the pool) and its progress, and
//! each member's current and upcoming leave (休假) with a form to record more.

use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError};
use crate::handover::{self, Destination};
use crate::i18n::T;
use crate::leaves;
use crate::pages::leave::{self, LeaveForm, LeaveRetry, LeaveView};
use crate::pages::{Nav, PageId};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kehu_domain::Role;
use kehu_domain::error::FieldError;
use kehu_domain::ids::{TeamId, UserId};
use kehu_store::UserSummary;
use serde::Deserialize;
use std::collections::HashMap;

/// The team routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/team", get(page))
        .route("/team/{id}/transfer-all", post(transfer))
        .route("/team/handovers/{id}", get(progress))
        .route("/team/{id}/leaves", post(record_leave))
        .route("/team/{id}/leaves/{leave_id}/cancel", post(cancel_leave))
}

#[derive(Template, WebTemplate)]
#[template(path = "team.html")]
struct TeamPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    members: Vec<UserSummary>,
    teams: Vec<(i64, String)>,
    leaves: HashMap<i64, Vec<LeaveView>>,
    retry: Option<LeaveRetry>,
}

impl TeamPage {
    fn leaves_of(&self, user: &i64) -> &[LeaveView] {
        self.leaves.get(user).map_or(&[], Vec::as_slice)
    }

    fn retry_for(&self, user: &i64) -> Option<&LeaveRetry> {
        self.retry.as_ref().filter(|r| r.user_id == *user)
    }

    fn leave_action(&self, user: &i64) -> String {
        format!("/team/{user}/leaves")
    }

    fn role_key(role: &str) -> &'static str {
        match role {
            "admin" => "role.admin",
            "manager" => "role.manager",
            _ => "role.rep",
        }
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    flash: Option<String>,
    retry: Option<LeaveRetry>,
) -> Result<TeamPage, PageError> {
    if session.actor.role == Role::Rep {
        return Err(AppError::NotFound.into());
    }
    let t = T(session.locale);
    let members = state.store.users_in_scope(&session.actor).await?;
    let teams = state.store.teams_in_scope(&session.actor).await?;
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let now = state.now();
    let records = state.store.upcoming_leaves(&ids, now).await?;
    let mut leaves: HashMap<i64, Vec<LeaveView>> = HashMap::new();
    for v in leave::views(t, state.config.utc_offset, records, now) {
        leaves.entry(v.user_id).or_default().push(v);
    }
    Ok(TeamPage {
        t,
        nav: Some(Nav::new(session, "team_admin")),
        flash,
        csrf: session.csrf.clone(),
        members,
        teams: teams.into_iter().map(|(id, n)| (id.0, n)).collect(),
        leaves,
        retry,
    })
}

#[derive(Debug, Deserialize)]
struct FlashQuery {
    flash: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<FlashQuery>,
) -> Result<TeamPage, PageError> {
    let flash = leave::flash(T(session.locale), q.flash.as_deref());
    render(&state, &session, flash, None).await
}

/// Records a member's leave; a refused form comes back beside the member with its errors.
async fn record_leave(
    State(state): State<AppState>,
    PageId(user): PageId,
    CsrfForm(session, form): CsrfForm<LeaveForm>,
) -> Result<Response, PageError> {
    match leaves::record(&state, &session.actor, user, &form.input()).await {
        Ok(_) => Ok(Redirect::to("/team?flash=leave_recorded").into_response()),
        Err(e) => {
            let retry = LeaveRetry::of(T(session.locale), user, form, e)?;
            let page = render(&state, &session, None, Some(retry)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
struct CancelForm {}

/// Cancels a member's leave.
async fn cancel_leave(
    State(state): State<AppState>,
    Path((user, id)): Path<(String, String)>,
    CsrfForm(session, CancelForm {}): CsrfForm<CancelForm>,
) -> Result<Redirect, PageError> {
    let num = |s: &str| s.parse::<i64>().map_err(|_| AppError::NotFound);
    leaves::cancel(&state, &session.actor, num(&user)?, num(&id)?).await?;
    Ok(Redirect::to("/team?flash=leave_cancelled"))
}

#[derive(Debug, Deserialize)]
struct HandoverForm {
    /// `rep:ID`, `team:ID` or `pool`.
    #[serde(default)]
    dest: String,
    #[serde(default)]
    reason: String,
}

fn destination(raw: &str) -> Result<Destination, AppError> {
    let id = |s: &str| s.parse::<i64>().ok();
    match raw.trim().split_once(':') {
        Some(("rep", n)) => id(n).map(|n| Destination::Rep(UserId(n))),
        Some(("team", n)) => id(n).map(|n| Destination::Team(TeamId(n))),
        None if raw.trim() == "pool" => Some(Destination::Pool),
        _ => None,
    }
    .ok_or_else(|| FieldError::new("to", "unknown_value").into())
}

/// Plans the hand-over and starts it in the background; the progress page follows it.
async fn transfer(
    State(state): State<AppState>,
    PageId(from): PageId,
    CsrfForm(session, f): CsrfForm<HandoverForm>,
) -> Result<Redirect, PageError> {
    let dest = destination(&f.dest)?;
    let plan = handover::plan(&state, &session.actor, UserId(from), dest, &f.reason).await?;
    let id = handover::start(&state, &session.actor, plan).await?;
    Ok(Redirect::to(&format!("/team/handovers/{id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "handover.html")]
struct ProgressPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    h: kehu_store::handovers::Handover,
    skipped: Vec<crate::ownership::Skipped>,
    heading: String,
    line: String,
    done: i64,
}

impl ProgressPage {
    fn running(&self) -> bool {
        self.h.status == "running"
    }
}

/// A hand-over's progress (refreshing itself while it runs), then its report.
async fn progress(
    State(state): State<AppState>,
    PageId(id): PageId,
    session: Session,
) -> Result<ProgressPage, PageError> {
    let (h, from_path) = state.store.handover(id).await?.ok_or(AppError::NotFound)?;
    let actor = &session.actor;
    if !(actor.is_admin() || actor.manages_team_path(from_path.as_deref())) {
        return Err(AppError::NotFound.into());
    }
    let skipped: Vec<crate::ownership::Skipped> =
        serde_json::from_str(&h.skipped).unwrap_or_default();
    let t = T(session.locale);
    let done = h.moved + skipped.len() as i64;
    let line = if h.status == "running" {
        let percent = done * 100 / h.total.max(1);
        t.fmt(
            "team.handover_running",
            &[
                ("done", &done.to_string()),
                ("total", &h.total.to_string()),
                ("percent", &percent.to_string()),
            ],
        )
    } else {
        t.fmt(
            "team.transfer_all_done",
            &[
                ("moved", &h.moved.to_string()),
                ("skipped", &skipped.len().to_string()),
            ],
        )
    };
    Ok(ProgressPage {
        t,
        nav: Some(Nav::new(&session, "team_admin")),
        flash: None,
        heading: t.fmt("team.handover_of", &[("name", &h.from_name)]),
        line,
        done,
        h,
        skipped,
    })
}
