//! Customer pages: lists, the customer page, the new-customer form, owner actions.

mod actions;
mod check;
mod list;
mod new;
mod requests;
mod show;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The customer page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list::page).post(new::submit))
        .route("/customers/new", get(new::page))
        .route("/customers/check", get(check::fragment))
        .route("/customers/requests", post(requests::submit))
        .route("/customers/{id}", get(show::page))
        .route("/customers/{id}/claim", post(actions::claim))
        .route("/customers/{id}/release", post(actions::release))
        .route("/customers/{id}/transfer", post(actions::transfer))
}
