//! Owner actions from the customer page: claim, release, transfer. Each redirects back
//! with a flash message, or fails into an error page that says why.

use crate::auth::CsrfForm;
use crate::error::{AppError, PageError};
use crate::ownership as actions;
use crate::pages::PageId;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Redirect;
use kehu_domain::error::FieldError;
use kehu_domain::ids::{CustomerId, UserId};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Empty {}

#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

#[derive(Debug, Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

pub async fn claim(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(s, Empty {}): CsrfForm<Empty>,
) -> Result<Redirect, PageError> {
    actions::claim(&state, &s.actor, CustomerId(id)).await?;
    Ok(Redirect::to(&format!("/customers/{id}?flash=claimed")))
}

pub async fn release(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(s, f): CsrfForm<ReasonForm>,
) -> Result<Redirect, PageError> {
    actions::release(&state, &s.actor, CustomerId(id), &f.reason).await?;
    // The customer is in the pool now, still visible (masked): show it with the news.
    Ok(Redirect::to(&format!("/customers/{id}?flash=released")))
}

pub async fn transfer(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(s, f): CsrfForm<TransferForm>,
) -> Result<Redirect, PageError> {
    let to: i64 =
        f.to.trim()
            .parse()
            .map_err(|_| AppError::from(FieldError::new("to", "unknown_value")))?;
    actions::transfer(&state, &s.actor, CustomerId(id), UserId(to), &f.reason).await?;
    Ok(Redirect::to(&format!("/customers/{id}?flash=transferred")))
}
