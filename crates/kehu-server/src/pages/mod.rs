//! Server-rendered pages: askama templates as typed structs, text from the locale files.

mod admin;
mod appeal_form;
mod appeals;
pub mod assets;
mod customers;
mod duplicates;
mod errors;
mod inbox;
mod lead_entry;
mod lead_health;
mod lead_import;
mod leads;
mod leave;
mod login;
mod merge;
mod merge_undo;
mod team;

use crate::auth::Session;
use crate::i18n::T;
use crate::state::AppState;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use chrono::{DateTime, FixedOffset, Utc};
use kehu_domain::Role;

/// Every page route, with error pages rendered by `errors::render`.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/customers") }))
        .route("/lang/{tag}", get(login::switch_language))
        .merge(login::router())
        .merge(customers::router())
        .merge(team::router())
        .merge(leads::router())
        .merge(lead_entry::router())
        .merge(lead_import::router())
        .merge(lead_health::router())
        .merge(leave::router())
        .merge(admin::router())
        .merge(inbox::router())
        .merge(appeals::router())
        .merge(merge::router())
        .merge(assets::router())
        .layer(axum::middleware::from_fn_with_state(state, errors::render))
}

/// A numeric id from the path; anything else is a page that does not exist (404 page).
#[derive(Debug, Clone, Copy)]
pub struct PageId(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PageId {
    type Rejection = crate::error::PageError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<i64>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(PageId(id)),
            Err(_) => Err(crate::error::AppError::NotFound.into()),
        }
    }
}

/// The header of every logged-in page.
#[derive(Debug, Clone)]
pub struct Nav {
    /// Display name.
    pub name: String,
    /// Locale key of the role.
    pub role_key: &'static str,
    /// Shows the team tab and transfer tools.
    pub is_manager: bool,
    /// Shows the administration tabs (pools).
    pub is_admin: bool,
    /// The CSRF token for forms.
    pub csrf: String,
    /// Which tab is active.
    pub tab: &'static str,
    /// Unread notifications (the inbox badge).
    pub unread: i64,
}

impl Nav {
    /// The header for `session`, with `tab` active.
    pub fn new(session: &Session, tab: &'static str) -> Nav {
        let role_key = match session.actor.role {
            Role::Admin => "role.admin",
            Role::Manager => "role.manager",
            Role::Rep => "role.rep",
        };
        Nav {
            name: session.actor.name.clone(),
            role_key,
            is_manager: session.actor.role != Role::Rep,
            is_admin: session.actor.role == Role::Admin,
            csrf: session.csrf.clone(),
            tab,
            unread: session.unread,
        }
    }
}

/// Formats an instant in the team's offset, to the minute.
pub fn local_time(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Flash messages a redirect may ask for (`?flash=claimed`); anything else is ignored, so
/// a crafted link cannot put arbitrary text on the page.
pub fn flash(t: T, key: Option<&str>) -> Option<String> {
    const KEYS: &[&str] = &[
        "created",
        "claimed",
        "released",
        "transferred",
        "follow_up_effective",
        "follow_up_not_effective",
    ];
    key.filter(|k| KEYS.contains(k))
        .map(|k| t.t(&format!("customer.{k}")).to_owned())
}
