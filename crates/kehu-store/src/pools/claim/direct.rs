//! The claim's write transaction on SQLite, run in one hand-off (see `db::direct`): the
//! same statements as the sqlx path's (`claim_locked`), in the same order.

use super::{FACTS, FactsRow, facts_of, refused};
use crate::db::direct::{DirectError, Ts};
use crate::error::StoreError;
use crate::notifications::{ClaimNotice, INSERT, claim_note};
use crate::ownership::{APPEND, SET_OWNER};
use crate::rows::micros;
use chrono::FixedOffset;
use kehu_domain::Actor;
use kehu_domain::ownership::OwnerChange;
use kehu_domain::pool::ClaimLimits;
use rusqlite::named_params;

/// Counts the rep's facts, checks the pool's claim rules and writes the claim of the
/// customer named `customer`, with its notification to the former owner.
pub(super) fn claim(
    db: &rusqlite::Connection,
    actor: &Actor,
    change: &OwnerChange,
    local: FixedOffset,
    customer: &str,
) -> Result<(), StoreError> {
    let w = ClaimLimits::windows(change.at, local).map(micros);
    let earliest = w.iter().copied().min().unwrap_or(change.at);
    let row: FactsRow = db
        .prepare_cached(FACTS)
        .and_then(|mut s| {
            s.query_row(
                named_params! {
                    "$1": change.customer_id.0, "$2": actor.user_id.0, "$3": Ts(w[0]),
                    "$4": Ts(w[1]), "$5": Ts(w[2]), "$6": Ts(earliest),
                },
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get::<_, Option<Ts>>(6)?.map(|t| t.0),
                        r.get(7)?,
                    ))
                },
            )
        })
        .map_err(DirectError::wrap)?;
    let (rules, facts, former) = facts_of(row)?;
    if let Err(refusal) = rules.claim.check(&facts, change.at) {
        return Err(refused(refusal, &facts));
    }
    let at = Ts(micros(change.at));
    let moved = db
        .prepare_cached(SET_OWNER)
        .and_then(|mut s| {
            s.execute(named_params! {
                "$1": change.to.map(|u| u.0), "$2": at, "$3": change.customer_id.0,
                "$4": change.expected_version, "$5": None::<i64>, "$6": change.from.map(|u| u.0),
            })
        })
        .map_err(DirectError::wrap)?;
    if moved == 0 {
        return Err(StoreError::Stale);
    }
    db.prepare_cached(APPEND)
        .and_then(|mut s| {
            s.execute(named_params! {
                "$1": change.customer_id.0, "$2": change.kind.code(),
                "$3": change.from.map(|u| u.0), "$4": change.to.map(|u| u.0),
                "$5": change.by.0, "$6": change.reason.as_deref(),
                "$7": change.rule.as_deref(), "$8": at,
            })
        })
        .map_err(DirectError::wrap)?;
    let notice = ClaimNotice {
        former,
        customer,
        claimer: &actor.name,
    };
    let Some(note) = claim_note(change, notice) else {
        return Ok(());
    };
    let params = note.params_json()?;
    let sql = format!("{INSERT} values ($1, $2, $3, $4, $5)");
    db.prepare_cached(&sql)
        .and_then(|mut s| {
            s.execute(named_params! {
                "$1": note.user.0, "$2": note.kind.code(),
                "$3": note.customer.map(|c| c.0), "$4": params, "$5": at,
            })
        })
        .map_err(DirectError::wrap)?;
    Ok(())
}
