//! `/merges/{id}/undo`: an admin undoes a merge from the kept customer's audit trail, after
//! a confirmation page.

use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError};
use crate::i18n::T;
use crate::merge;
use crate::pages::{Nav, PageId, local_time};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Redirect;
use kehu_domain::Role;
use std::collections::HashMap;

#[derive(Template, WebTemplate)]
#[template(path = "duplicates/undo.html")]
/// The confirmation.
pub struct UndoPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    id: i64,
    kept: i64,
    merged: Vec<i64>,
    by: String,
    at: String,
}

/// Admins only (403 for others); an unknown or undone merge is 404.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    PageId(id): PageId,
) -> Result<UndoPage, PageError> {
    if session.actor.role != Role::Admin {
        return Err(AppError::Forbidden.into());
    }
    let m = state
        .store
        .merge_record(id)
        .await?
        .filter(|m| m.reverted_at.is_none())
        .ok_or(AppError::NotFound)?;
    Ok(UndoPage {
        t: T(session.locale),
        nav: Some(Nav::new(&session, "duplicates")),
        flash: None,
        csrf: session.csrf.clone(),
        id: m.id,
        kept: m.kept.0,
        merged: m.merged.iter().map(|c| c.0).collect(),
        by: m.by_name,
        at: local_time(m.at, state.config.utc_offset),
    })
}

/// Undoes the merge and opens the customer that had been kept.
pub async fn submit(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(session, _): CsrfForm<HashMap<String, String>>,
) -> Result<Redirect, PageError> {
    let out = merge::revert(&state, &session.actor, id).await?;
    Ok(Redirect::to(&format!(
        "/customers/{}?flash=unmerged",
        out.kept
    )))
}

/// The flash messages of merging and undoing (`?flash=merged`, `?flash=unmerged`).
pub fn flash(t: T, key: Option<&str>) -> Option<String> {
    match key {
        Some("merged") => Some(t.t("merge.flash_merged").to_owned()),
        Some("unmerged") => Some(t.t("merge.flash_unmerged").to_owned()),
        _ => None,
    }
}

/// A merge on the kept customer's page, with an undo link for admins.
pub struct MergeRow {
    /// The merge.
    pub id: i64,
    /// When, local time.
    pub at: String,
    /// "王芳 merged #12, #31 into this customer".
    pub text: String,
    /// The reason given.
    pub reason: Option<String>,
    /// Undone already.
    pub reverted: bool,
    /// Shows the undo link (admins, not undone yet).
    pub can_undo: bool,
}

/// The merges kept on customer `id` (call after the access check).
pub async fn merges_on(
    state: &AppState,
    session: &Session,
    id: kehu_domain::ids::CustomerId,
) -> Result<Vec<MergeRow>, AppError> {
    let t = T(session.locale);
    let admin = session.actor.role == Role::Admin;
    Ok(state
        .store
        .merges_of(id)
        .await?
        .into_iter()
        .map(|m| {
            let ids: Vec<String> = m.merged.iter().map(|c| format!("#{c}")).collect();
            MergeRow {
                id: m.id,
                at: local_time(m.at, state.config.utc_offset),
                text: t.fmt(
                    "merge.merged_into_this",
                    &[("by", &m.by_name), ("ids", &ids.join(", "))],
                ),
                reason: m.reason,
                reverted: m.reverted_at.is_some(),
                can_undo: admin && m.reverted_at.is_none(),
            }
        })
        .collect())
}

/// The label of an audit row's field: the merge's own rows have their own words.
pub fn audit_label(t: T, field: &str) -> String {
    let key = match field {
        "merged_from" | "merged_into" | "merge_reverted" => format!("merge.audit_{field}"),
        other => format!("customer.{other}"),
    };
    t.t(&key).to_owned()
}

/// A timeline entry of a record merged into the one shown is marked with its id.
pub fn timeline_text(
    t: T,
    shown: i64,
    e: &kehu_domain::ownership::LedgerEntry,
    text: String,
) -> String {
    if e.customer_id.0 == shown {
        text
    } else {
        t.fmt(
            "merge.from_record",
            &[("id", &e.customer_id.to_string()), ("text", &text)],
        )
    }
}
