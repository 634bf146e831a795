//! Leave (休假) as the edges ask for it: a user records and sees their own, a manager those of
//! the people in their team subtree, an admin anyone's; for everybody else the user does not
//! exist (404). Recorded leave pauses the recycle clocks of the user's customers.

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::ids::UserId;
use kehu_domain::pool::{LeaveInput, NewLeave};
use kehu_store::leaves::{LeaveRecord, LeaveSource};

/// `user` when `actor` may see and record their leave; 404 otherwise (also for a user that
/// does not exist), so ids leak nothing.
pub async fn target(state: &AppState, actor: &Actor, user: i64) -> Result<UserId, AppError> {
    if user == actor.user_id.0 {
        return Ok(actor.user_id);
    }
    let t = state
        .store
        .transfer_target(UserId(user))
        .await?
        .ok_or(AppError::NotFound)?;
    if actor.is_admin() || actor.manages_team_path(t.team_path.as_deref()) {
        Ok(t.user_id)
    } else {
        Err(AppError::NotFound)
    }
}

/// Every leave of `user`, in time order.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    user: i64,
) -> Result<Vec<LeaveRecord>, AppError> {
    let user = target(state, actor, user).await?;
    Ok(state.store.leaves_of(user).await?)
}

/// Records a leave of `user` from raw input; bad input names the field and writes nothing.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    user: i64,
    input: &LeaveInput,
) -> Result<LeaveRecord, AppError> {
    let user = target(state, actor, user).await?;
    let now = state.now();
    let leave = NewLeave::parse(input, state.config.utc_offset, now)?;
    Ok(state
        .store
        .record_leave(user, &leave, LeaveSource::Manual, actor, now)
        .await?)
}

/// Cancels a leave of `user`; 404 when they have no such leave.
pub async fn cancel(state: &AppState, actor: &Actor, user: i64, id: i64) -> Result<(), AppError> {
    let user = target(state, actor, user).await?;
    Ok(state
        .store
        .cancel_leave(user, id, actor, state.now())
        .await?)
}
