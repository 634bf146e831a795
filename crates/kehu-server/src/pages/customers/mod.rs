//! Customer pages: lists, the customer page, the new-customer form (also filled from a
//! lead), owner actions.

mod actions;
mod check;
mod collaborators;
mod deals;
mod follow_up;
mod from_lead;
mod list;
mod locks;
mod new;
mod requests;
mod show;
mod workbench;

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
        .route("/customers/{id}/lock", post(locks::lock))
        .route("/customers/{id}/unlock", post(locks::unlock))
        .route("/customers/{id}/collaborators", post(collaborators::add))
        .route(
            "/customers/{id}/collaborators/{user}/remove",
            post(collaborators::remove),
        )
        .route(
            "/customers/{id}/requests/{request}/grant",
            post(collaborators::grant),
        )
        .route(
            "/customers/{id}/requests/{request}/decline",
            post(collaborators::decline),
        )
        .route("/customers/{id}/follow-ups", post(follow_up::submit))
        .route("/customers/{id}/follow-ups/new", get(follow_up::page))
        .route("/customers/{id}/deals", post(deals::create))
        .route("/customers/{id}/deals/new", get(deals::new_page))
        .route(
            "/customers/{id}/deals/{deal}/stage",
            get(deals::stage_page).post(deals::move_stage),
        )
        .route("/customers/{id}/release", post(actions::release))
        .route("/customers/{id}/transfer", post(actions::transfer))
}
