//! `/inbox`: the logged-in user's notifications, newest first, with "mark read".

use crate::auth::{CsrfForm, Session};
use crate::error::PageError;
use crate::i18n::T;
use crate::pages::{Nav, local_time};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::Redirect;
use axum::routing::{get, post};
use serde::Deserialize;

/// The inbox routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(page))
        .route("/inbox/read", post(read))
}

/// One notification line.
pub struct Item {
    id: i64,
    text: String,
    at: String,
    unread: bool,
    /// Where it leads: the lead it is about, else its customer.
    href: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
struct InboxPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    items: Vec<Item>,
}

async fn page(State(state): State<AppState>, session: Session) -> Result<InboxPage, PageError> {
    let t = T(session.locale);
    let list = state
        .store
        .notifications(session.actor.user_id, false, 200)
        .await?;
    let offset = state.config.utc_offset;
    Ok(InboxPage {
        t,
        nav: Some(Nav::new(&session, "inbox")),
        flash: None,
        csrf: session.csrf.clone(),
        items: list
            .iter()
            .map(|n| Item {
                id: n.id,
                text: crate::notifications::message(t, n),
                at: local_time(n.created_at, offset),
                unread: n.read_at.is_none(),
                href: href(n),
            })
            .collect(),
    })
}

/// A lead notification opens the lead; others open their customer.
fn href(n: &kehu_store::notifications::Notification) -> Option<String> {
    let lead = n
        .param_map()
        .get("lead")
        .and_then(|l| l.parse::<i64>().ok());
    match (lead, n.customer_id) {
        (Some(l), _) => Some(format!("/leads/{l}")),
        (None, Some(c)) => Some(format!("/customers/{c}")),
        (None, None) => None,
    }
}

/// `id` marks one read; without it, all.
#[derive(Debug, Deserialize)]
struct ReadForm {
    id: Option<i64>,
}

async fn read(
    State(state): State<AppState>,
    CsrfForm(session, f): CsrfForm<ReadForm>,
) -> Result<Redirect, PageError> {
    state
        .store
        .mark_notifications_read(session.actor.user_id, f.id, state.now())
        .await?;
    Ok(Redirect::to("/inbox"))
}
