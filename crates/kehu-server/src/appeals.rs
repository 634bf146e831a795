//! Appeals (申诉) as the edges ask for them: filing with evidence, who may see and decide,
//! the timeline Kehu assembles, and the decision through the ledger.

use crate::error::AppError;
use crate::i18n::T;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::appeal::{self, Decision};
use kehu_domain::ownership::{LedgerEntry, LedgerKind, OwnershipError};
use kehu_store::StoreError;
use kehu_store::appeals::{Appeal, DecisionRecord, MAX_FILE_BYTES, MAX_FILES, NewEvidence};

/// Whether `actor` may see appeal `a`: its appellant, the customer's owner, the owner's
/// manager chain, admins.
pub fn may_see(actor: &Actor, a: &Appeal) -> bool {
    a.appellant_id == actor.user_id.0
        || a.owner_id == Some(actor.user_id.0)
        || actor.is_admin()
        || a.owner_id.is_some() && actor.manages_team_path(a.owner_team_path.as_deref())
}

/// Whether `actor` may decide appeal `a` now.
pub fn may_decide(actor: &Actor, a: &Appeal) -> bool {
    a.status == "open"
        && (actor.is_admin()
            || a.owner_id.is_some() && actor.manages_team_path(a.owner_team_path.as_deref()))
}

/// Loads an appeal `actor` may see; anything else is 404.
pub async fn load(state: &AppState, actor: &Actor, id: i64) -> Result<Appeal, AppError> {
    state
        .store
        .appeal(id)
        .await?
        .filter(|a| may_see(actor, a))
        .ok_or(AppError::NotFound)
}

/// Checks evidence files against the limits (field `evidence`).
pub fn check_files(files: &[NewEvidence]) -> Result<(), FieldError> {
    if files.len() > MAX_FILES {
        return Err(FieldError::new("evidence", "too_many_files"));
    }
    if files.iter().any(|f| f.data.len() > MAX_FILE_BYTES) {
        return Err(FieldError::new("evidence", "file_too_large"));
    }
    Ok(())
}

/// Files `actor`'s appeal on a customer they can read and do not own.
pub async fn file(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    statement: &str,
    files: &[NewEvidence],
) -> Result<i64, AppError> {
    let mut errs = FieldErrors::default();
    let statement = errs.collect(appeal::parse_text("statement", statement, true));
    errs.collect(check_files(files));
    errs.into_result()?;
    let view = state
        .store
        .customer_for(actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    match view.customer.owner_id {
        None => return Err(OwnershipError::InPool.into()),
        Some(o) if o == actor.user_id => return Err(OwnershipError::SameOwner.into()),
        Some(_) => {}
    }
    let id = state
        .store
        .file_appeal(
            id,
            actor,
            statement.flatten().as_deref(),
            files,
            state.now(),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { what: "evidence" } => {
                FieldError::new("evidence", "too_many_files").into()
            }
            e => AppError::from(e),
        })?;
    Ok(id)
}

/// Decides appeal `id`: decide on fresh facts, write through the ledger, retry a lost
/// compare-and-set a few times. A second decision of the same appeal is a 409.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: i64,
    decision: Decision,
    note: Option<&str>,
) -> Result<(), AppError> {
    let a = load(state, actor, id).await?;
    if a.status != "open" {
        return Err(AppError::Conflict { what: "appeal" });
    }
    let record = DecisionRecord {
        code: decision.code(),
        appellant_share: decision.appellant_share(),
        note,
    };
    for _ in 0..3 {
        let facts = state
            .store
            .ownership_state(CustomerId(a.customer_id))
            .await?
            .ok_or(AppError::NotFound)?;
        let change = appeal::decide(
            actor,
            &facts,
            UserId(a.appellant_id),
            decision,
            a.id,
            state.now(),
        )?;
        match state.store.decide_appeal(&a, &change, &record, actor).await {
            Ok(()) => return Ok(()),
            Err(StoreError::Stale) => {
                let now = state.store.appeal(id).await?;
                if now.is_some_and(|n| n.status != "open") {
                    return Err(AppError::Conflict { what: "appeal" });
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Stale)
}

/// One line of an appeal's timeline.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Moment {
    /// When.
    pub at: DateTime<Utc>,
    /// What happened, in the reader's language.
    pub text: String,
}

fn ledger_text(t: T, e: &LedgerEntry) -> String {
    let pool = t.t("ledger.pool");
    let from = e.from_name.as_deref().unwrap_or(pool);
    let to = e.to_name.as_deref().unwrap_or(pool);
    let key = match e.kind {
        LedgerKind::Create => return t.fmt("people.tl_entered", &[("who", &e.by_name)]),
        LedgerKind::Claim => "ledger.claim",
        LedgerKind::Release => "ledger.release",
        LedgerKind::Transfer => "ledger.transfer",
        LedgerKind::Recycle => "ledger.recycle",
        LedgerKind::Merge => "merge.ledger_merge",
        LedgerKind::Unmerge => "merge.ledger_unmerge",
        LedgerKind::Appeal => "people.ledger_appeal",
    };
    t.fmt(key, &[("by", &e.by_name), ("from", from), ("to", to)])
}

/// The timeline of a customer, oldest first: who entered it, every owner change, the first
/// effective follow-up, every follow-up — from the ledger and the follow-ups.
pub async fn timeline(state: &AppState, t: T, id: CustomerId) -> Result<Vec<Moment>, AppError> {
    let mut out: Vec<Moment> = state
        .store
        .ledger(id)
        .await?
        .iter()
        .map(|e| Moment {
            at: e.at,
            text: ledger_text(t, e),
        })
        .collect();
    let mut follow_ups = state.store.follow_ups(id).await?;
    follow_ups.sort_by_key(|f| (f.at, f.id));
    let mut first = true;
    for f in &follow_ups {
        let kind_key = format!("follow_up.kind_{}", f.kind);
        let kind = t.t(&kind_key);
        if f.effective && first {
            first = false;
            out.push(Moment {
                at: f.at,
                text: t.fmt("people.tl_first_effective", &[("who", &f.author_name)]),
            });
        }
        let key = if f.effective {
            "people.tl_follow_up_effective"
        } else {
            "people.tl_follow_up"
        };
        out.push(Moment {
            at: f.at,
            text: t.fmt(key, &[("who", &f.author_name), ("kind", kind)]),
        });
    }
    out.sort_by_key(|m| m.at);
    Ok(out)
}
