//! The availability feed (可用性): an HR system pushes leave to `PUT /api/v1/availability`;
//! a push that does not fit the schema is refused whole, recorded, and the admins told once;
//! the job tells them once when no good push arrived within the heartbeat. Routing asks
//! [`health`] before each decision and says in the decision when the feed was not trusted.

use crate::error::AppError;
use crate::pages::local_time;
use crate::pools::admin_only;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::availability::{FeedFallback, FeedHealth, FeedSettings, parse_feed};
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::ids::UserId;
use kehu_domain::pool::NewLeave;
use serde_json::Value;

/// The settings key of [`FeedSettings`].
pub const FEED_SETTINGS: &str = "availability_feed";

/// The feed's health at the state's now, with the settings it was judged by.
pub async fn health(state: &AppState) -> Result<(FeedHealth, FeedSettings), AppError> {
    let settings: FeedSettings = state.store.setting(FEED_SETTINGS).await?;
    let feed = state.store.feed_state().await?;
    Ok((
        FeedHealth::of(&feed.status, &settings, state.now()),
        settings,
    ))
}

/// Whether routing counts the feed's leave now: always, unless the feed cannot be trusted
/// and the fallback is hand-recorded leave only.
pub fn counts_feed_leave(health: FeedHealth, settings: &FeedSettings) -> bool {
    !(health.is_alert() && settings.fallback == FeedFallback::HandOnly)
}

/// Accepts or refuses a push (admins' tokens, as an HR system uses). A refused push — not
/// JSON at all, or not the schema — writes no leave, is recorded with its errors, and tells
/// the admins when it starts a failing period. Answers the records accepted.
pub async fn push(state: &AppState, actor: &Actor, body: &[u8]) -> Result<usize, AppError> {
    admin_only(actor)?;
    let now = state.now();
    let parsed = match serde_json::from_slice::<Value>(body) {
        Ok(v) => parse_feed(&v, state.config.utc_offset, now),
        Err(_) => Err(FieldError::new("body", "invalid_json").into()),
    };
    let checked = match parsed {
        Ok(records) => resolve_users(state, records).await?,
        Err(e) => Err(e),
    };
    match checked {
        Ok(leave) => {
            state.store.replace_feed_leave(&leave, actor, now).await?;
            Ok(leave.len())
        }
        Err(errs) => {
            let json =
                serde_json::to_string(&errs.0).map_err(|e| AppError::Internal(e.to_string()))?;
            let first = errs
                .0
                .first()
                .map(|e| e.field.to_string())
                .unwrap_or_default();
            let told = state.store.record_feed_failure(&json, &first, now).await?;
            tracing::warn!(errors = %json, admins_told = told, "availability feed push refused");
            Err(errs.into())
        }
    }
}

/// Maps every record's login to an active user; unknown ones are named
/// (`records[2].user`).
async fn resolve_users(
    state: &AppState,
    records: Vec<kehu_domain::availability::FeedRecord>,
) -> Result<Result<Vec<(UserId, NewLeave)>, FieldErrors>, AppError> {
    let logins: Vec<String> = records.iter().map(|r| r.login.clone()).collect();
    let ids = state.store.user_ids_by_login(&logins).await?;
    let mut errs = FieldErrors::default();
    let mut out = Vec::with_capacity(records.len());
    for (i, r) in records.into_iter().enumerate() {
        match ids.get(&r.login) {
            Some(&id) => out.push((id, r.leave)),
            None => errs.0.push(FieldError::new(
                format!("records[{i}].user"),
                "unknown_user",
            )),
        }
    }
    Ok(errs.into_result().map(|()| out))
}

/// The job's heartbeat check: tells the admins, once per stale period, that no good push
/// arrived within the heartbeat. Answers whether it told them.
pub async fn check_heartbeat(state: &AppState) -> Result<bool, AppError> {
    let (health, _) = health(state).await?;
    let FeedHealth::Stale { since } = health else {
        return Ok(false);
    };
    let text = local_time(since, state.config.utc_offset);
    Ok(state
        .store
        .alert_feed_stale(since, &text, state.now())
        .await?)
}
