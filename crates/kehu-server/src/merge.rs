//! Merge orchestration (合并): load the records the actor may merge, let the domain plan,
//! persist in one transaction; undo (admins); where a merged-away id leads.

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::FieldError;
use kehu_domain::customer::Customer;
use kehu_domain::customer::merge::{
    MergeChoice, MergeError, MergeInput, MergePlan, may_merge, plan,
};
use kehu_domain::ids::CustomerId;
use kehu_domain::{Actor, Role};
use kehu_store::StoreError;
use kehu_store::merge::RevertOutcome;

/// Reps may not merge at all (403); the page and API say so before looking at ids.
pub fn require_merger(actor: &Actor) -> Result<(), AppError> {
    match actor.role {
        Role::Rep => Err(AppError::Forbidden),
        Role::Manager | Role::Admin => Ok(()),
    }
}

/// Loads each record for `actor`: one they may not read or may not merge is 404, so ids
/// outside their scope leak nothing.
pub async fn load_records(
    state: &AppState,
    actor: &Actor,
    ids: &[CustomerId],
) -> Result<Vec<Customer>, AppError> {
    require_merger(actor)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let view = state
            .store
            .customer_for(actor, *id)
            .await?
            .ok_or(AppError::NotFound)?;
        let c = view.customer;
        if !may_merge(actor, c.owner_team_path.as_deref(), c.in_pool()) {
            return Err(AppError::NotFound);
        }
        out.push(c);
    }
    Ok(out)
}

/// Validates the input and plans the merge on freshly loaded records.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    input: &MergeInput,
) -> Result<MergePlan, AppError> {
    require_merger(actor)?;
    let choice = MergeChoice::parse(input)?;
    let records = load_records(state, actor, &choice.records()).await?;
    plan(&records, &choice).map_err(|e| match e {
        MergeError::NotFound(_) => AppError::NotFound,
        MergeError::Stale(_) => AppError::Stale,
    })
}

/// Plans and carries out a merge; answers the merge's id and the kept record.
pub async fn merge(
    state: &AppState,
    actor: &Actor,
    input: &MergeInput,
) -> Result<(i64, CustomerId), AppError> {
    let plan = preview(state, actor, input).await?;
    let id = state
        .store
        .merge_customers(actor, &plan, state.now())
        .await
        .map_err(store_error)?;
    Ok((id, plan.result.id))
}

/// Undoes a merge: admins only (403 for others). The merge's kept record must be one the
/// admin can read (admins read every owned record; a pool one too).
pub async fn revert(state: &AppState, actor: &Actor, id: i64) -> Result<RevertOutcome, AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    state
        .store
        .revert_merge(actor, id, state.now())
        .await
        .map_err(store_error)
}

/// Where `id` leads when it was merged away and `actor` may read the record it was merged
/// into; `None` otherwise (the caller answers 404 as for any unknown id).
pub async fn redirect(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
) -> Result<Option<CustomerId>, AppError> {
    let Some(to) = state.store.merge_target(id).await? else {
        return Ok(None);
    };
    let readable = state.store.customer_for(actor, to).await?.is_some();
    Ok(readable.then_some(to))
}

/// A strong key taken by a customer outside the merge is a conflict on that field; a merge
/// that cannot be undone (again) says why.
fn store_error(e: StoreError) -> AppError {
    match e {
        StoreError::Duplicate { field, .. } => AppError::Conflict { what: field },
        StoreError::Conflict {
            what: "merge_reverted",
        } => FieldError::new("merge", "merge.already_reverted").into(),
        StoreError::Conflict {
            what: "merge_kept_merged",
        } => FieldError::new("merge", "merge.kept_merged_again").into(),
        other => other.into(),
    }
}
