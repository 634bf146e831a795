//! Collaborator changes as the edges ask for them: only the owner, the owner's manager
//! chain or an admin may grant or remove access; the owner stays the one owner.

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::access::CollaboratorAccess;
use kehu_domain::error::FieldError;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::OwnershipError;
use kehu_store::customers::CustomerView;

/// Whether `actor` manages the collaborators of `view`.
pub fn may_manage(actor: &Actor, view: &CustomerView) -> bool {
    let c = &view.customer;
    c.owner_id.is_some_and(|o| {
        o == actor.user_id
            || actor.is_admin()
            || actor.manages_team_path(c.owner_team_path.as_deref())
    })
}

/// Loads a customer whose collaborators `actor` may manage: unreadable → 404, in the pool
/// → 409, readable but not theirs to manage (a collaborator) → 403.
async fn managed(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
) -> Result<CustomerView, AppError> {
    let view = state
        .store
        .customer_for(actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if view.customer.owner_id.is_none() {
        return Err(OwnershipError::InPool.into());
    }
    if !may_manage(actor, &view) {
        return Err(AppError::Forbidden);
    }
    Ok(view)
}

/// Parses the `access` field.
pub fn parse_access(raw: &str) -> Result<CollaboratorAccess, FieldError> {
    match raw.trim() {
        "read" => Ok(CollaboratorAccess::Read),
        "write" => Ok(CollaboratorAccess::Write),
        "" => Err(FieldError::new("access", "required")),
        _ => Err(FieldError::new("access", "unknown_value")),
    }
}

/// Grants `user` access to a customer.
pub async fn add(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    user: i64,
    access: CollaboratorAccess,
) -> Result<(), AppError> {
    let view = managed(state, actor, id).await?;
    let bad = || AppError::from(FieldError::new("user_id", "not_assignable_user"));
    let target = state
        .store
        .transfer_target(UserId(user))
        .await?
        .ok_or_else(bad)?;
    if !target.active || view.customer.owner_id == Some(target.user_id) {
        return Err(bad());
    }
    state
        .store
        .grant_collaborator(id, target.user_id, access, actor, state.now())
        .await?;
    Ok(())
}

/// Removes `user`'s access; 404 when they are no collaborator.
pub async fn remove(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    user: i64,
) -> Result<(), AppError> {
    managed(state, actor, id).await?;
    state
        .store
        .remove_collaborator(id, UserId(user), actor, state.now())
        .await?;
    Ok(())
}

/// Grants an open collaboration request (read access).
pub async fn grant_request(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    request: i64,
) -> Result<(), AppError> {
    managed(state, actor, id).await?;
    let user = state
        .store
        .open_collaboration_request(id, request)
        .await?
        .ok_or(AppError::NotFound)?;
    add(state, actor, id, user.0, CollaboratorAccess::Read).await
}

/// Declines an open collaboration request.
pub async fn decline_request(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    request: i64,
) -> Result<(), AppError> {
    managed(state, actor, id).await?;
    state
        .store
        .decline_collaboration_request(id, request, actor, state.now())
        .await?;
    Ok(())
}

/// Writes the reveal log when `actor` sees `view`'s contact data unmasked without owning it.
pub async fn log_reveal(
    state: &AppState,
    actor: &Actor,
    view: &CustomerView,
    via: &'static str,
) -> Result<(), AppError> {
    let c = &view.customer;
    let full = view.visibility == kehu_domain::access::Visibility::Full;
    if full && c.owner_id.is_some_and(|o| o != actor.user_id) {
        state
            .store
            .log_reveal(c.id, actor.user_id, via, state.now())
            .await?;
    }
    Ok(())
}
