//! Lock (锁定) and unlock from the customer page: the owner exempts a customer from
//! recycling, up to the pool's lock limit; a refusal is an error page saying so.

use super::actions::Empty;
use crate::auth::CsrfForm;
use crate::error::PageError;
use crate::pages::PageId;
use crate::pools::set_locked;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Redirect;
use kehu_domain::ids::CustomerId;

/// Locks the customer.
pub async fn lock(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(s, Empty {}): CsrfForm<Empty>,
) -> Result<Redirect, PageError> {
    set_locked(&state, &s.actor, CustomerId(id), true).await?;
    Ok(Redirect::to(&format!("/customers/{id}")))
}

/// Unlocks the customer.
pub async fn unlock(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(s, Empty {}): CsrfForm<Empty>,
) -> Result<Redirect, PageError> {
    set_locked(&state, &s.actor, CustomerId(id), false).await?;
    Ok(Redirect::to(&format!("/customers/{id}")))
}
