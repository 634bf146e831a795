//! `/team`: the members a manager (or admin) oversees, with a one-step hand-over of all of
//! a member's customers.

use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError};
use crate::i18n::T;
use crate::ownership::transfer_all;
use crate::pages::{Nav, PageId};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use kehu_domain::Role;
use kehu_domain::error::FieldError;
use kehu_domain::ids::UserId;
use kehu_store::UserSummary;
use serde::Deserialize;

/// The team routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/team", get(page))
        .route("/team/{id}/transfer-all", post(transfer))
}

#[derive(Template, WebTemplate)]
#[template(path = "team.html")]
struct TeamPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    members: Vec<UserSummary>,
}

impl TeamPage {
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
) -> Result<TeamPage, PageError> {
    if session.actor.role == Role::Rep {
        return Err(AppError::NotFound.into());
    }
    let members = state.store.users_in_scope(&session.actor).await?;
    Ok(TeamPage {
        t: T(session.locale),
        nav: Some(Nav::new(session, "team_admin")),
        flash,
        csrf: session.csrf.clone(),
        members,
    })
}

async fn page(State(state): State<AppState>, session: Session) -> Result<TeamPage, PageError> {
    render(&state, &session, None).await
}

#[derive(Debug, Deserialize)]
struct TransferForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

async fn transfer(
    State(state): State<AppState>,
    PageId(from): PageId,
    CsrfForm(session, f): CsrfForm<TransferForm>,
) -> Result<TeamPage, PageError> {
    let to: i64 =
        f.to.trim()
            .parse()
            .map_err(|_| AppError::from(FieldError::new("to", "unknown_value")))?;
    let report = transfer_all(&state, &session.actor, UserId(from), UserId(to), &f.reason).await?;
    let t = T(session.locale);
    let msg = t.fmt(
        "team.transfer_all_done",
        &[
            ("moved", &report.moved.to_string()),
            ("skipped", &report.skipped.len().to_string()),
        ],
    );
    render(&state, &session, Some(msg)).await
}
