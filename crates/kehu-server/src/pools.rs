//! Pools as the edges ask for them: parse an admin's pool input, save it, preview what its
//! rules would recycle tonight, lock customers, and explain a pool rule's refusal.

use crate::error::AppError;
use crate::follow_ups::PROTECTION;
use crate::i18n::T;
use crate::state::AppState;
use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone, Utc};
use kehu_domain::Actor;
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::ids::{CustomerId, TeamId, UserId};
use kehu_domain::ownership::protection::ProtectionRules;
use kehu_domain::pool::{ClaimRefusal, PoolRules};
use kehu_store::pools::{NewPool, PoolRefusal, Preview};
use serde::Deserialize;
use serde_json::{Value, json};

/// A pool as an admin sends it; missing fields keep the pool's current values on edit.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolInput {
    /// Name.
    pub name: Option<String>,
    /// Rules, merged field by field over the current (or default) rules.
    pub rules: Option<Value>,
    /// Member team ids.
    pub members: Option<Vec<i64>>,
    /// Whitelisted user ids.
    pub whitelist: Option<Vec<i64>>,
}

/// Only admins configure pools.
pub fn admin_only(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn parse_name(raw: Option<&str>) -> Result<String, FieldError> {
    let name = kehu_domain::text::squash_spaces(raw.unwrap_or(""));
    if name.is_empty() {
        Err(FieldError::new("name", "required"))
    } else if name.chars().count() > 50 {
        Err(FieldError::new("name", "too_long"))
    } else {
        Ok(name)
    }
}

/// Checks `input` over `base` (the pool being edited, or defaults) and names every bad field.
pub async fn parse(
    state: &AppState,
    input: PoolInput,
    base: Option<NewPool>,
) -> Result<NewPool, AppError> {
    let base = base.unwrap_or(NewPool {
        name: String::new(),
        rules: PoolRules::default(),
        members: vec![],
        whitelist: vec![],
    });
    let mut errs = FieldErrors::default();
    let name = errs.collect(parse_name(Some(
        input.name.as_deref().unwrap_or(&base.name),
    )));
    let rules = match input.rules {
        None => base.rules,
        Some(patch) => errs.collect(merged(&base.rules, patch)).unwrap_or_default(),
    };
    if let Err(e) = rules.validate() {
        for f in e.0 {
            errs.0
                .push(FieldError::new(format!("rules.{}", f.field), f.code));
        }
    }
    if let Some(to) = rules.recycle_to
        && state.store.pool(to).await?.is_none()
    {
        errs.0
            .push(FieldError::new("rules.recycle_to", "unknown_value"));
    }
    let members: Vec<TeamId> = input
        .members
        .map_or(base.members, |m| m.into_iter().map(TeamId).collect());
    if !state.store.teams_exist(&members).await? {
        errs.0.push(FieldError::new("members", "unknown_value"));
    }
    let whitelist: Vec<UserId> = input
        .whitelist
        .map_or(base.whitelist, |m| m.into_iter().map(UserId).collect());
    if !state.store.users_exist(&whitelist).await? {
        errs.0.push(FieldError::new("whitelist", "unknown_value"));
    }
    errs.into_result()?;
    Ok(NewPool {
        name: name.unwrap_or_default(),
        rules,
        members,
        whitelist,
    })
}

/// `patch` laid over `base`, object by object, so `{"claim": {"per_day": 5}}` changes one figure.
fn merged(base: &PoolRules, patch: Value) -> Result<PoolRules, FieldError> {
    fn lay(target: &mut Value, patch: Value) {
        match (target, patch) {
            (Value::Object(t), Value::Object(p)) => {
                for (k, v) in p {
                    lay(t.entry(k).or_insert(Value::Null), v);
                }
            }
            (t, p) => *t = p,
        }
    }
    let mut value =
        serde_json::to_value(base).map_err(|_| FieldError::new("rules", "invalid_type"))?;
    lay(&mut value, patch);
    // Parsed as a body is, so a figure of the wrong type (`-3` days) is named by its path.
    let bytes = serde_json::to_vec(&value).map_err(|_| FieldError::new("rules", "invalid_type"))?;
    crate::api::json::parse(&bytes).map_err(|e| {
        let field = match e.field.as_ref() {
            "body" => "rules".to_owned(),
            path => format!("rules.{path}"),
        };
        FieldError::new(field, e.code)
    })
}

/// A stored pool as the input of an edit.
pub async fn current(state: &AppState, id: i64) -> Result<NewPool, AppError> {
    let p = state.store.pool(id).await?.ok_or(AppError::NotFound)?;
    Ok(NewPool {
        name: p.name,
        rules: p.rules,
        members: p.members.iter().map(|m| TeamId(m.id)).collect(),
        whitelist: p.whitelist.iter().map(|m| UserId(m.id)).collect(),
    })
}

/// The next local midnight: when "tonight's" recycle pass judges.
pub fn tonight(now: DateTime<Utc>, local: FixedOffset) -> DateTime<Utc> {
    let tomorrow = now.with_timezone(&local).date_naive() + Duration::days(1);
    local
        .from_local_datetime(&tomorrow.and_time(NaiveTime::MIN))
        .single()
        .map_or(now, |t| t.with_timezone(&Utc))
}

/// What `new` would recycle tonight: from pool `id`, or (`None`) as a pool about to be created.
pub async fn preview(
    state: &AppState,
    id: Option<i64>,
    new: &NewPool,
) -> Result<Preview, AppError> {
    let protection: ProtectionRules = state.store.setting(PROTECTION).await?;
    let at = tonight(state.now(), state.config.utc_offset);
    let whitelist: Vec<i64> = new.whitelist.iter().map(|u| u.0).collect();
    Ok(match id {
        Some(id) => {
            state
                .store
                .recycle_preview(id, &new.rules, &whitelist, &protection, at)
                .await?
        }
        None => {
            state
                .store
                .recycle_preview_new(new, &protection, at)
                .await?
        }
    })
}

/// Locks or unlocks a customer the actor owns (others: 404, or 403 when they may read it).
pub async fn set_locked(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    locked: bool,
) -> Result<(), AppError> {
    let view = state
        .store
        .customer_for(actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if view.customer.owner_id != Some(actor.user_id) {
        return Err(kehu_domain::ownership::OwnershipError::NotOwner.into());
    }
    Ok(state
        .store
        .set_locked(actor.user_id, id, locked, state.now())
        .await?)
}

fn period_key(period: &str) -> &'static str {
    match period {
        "day" => "pools.period_day",
        "week" => "pools.period_week",
        _ => "pools.period_month",
    }
}

/// "今天已领取 5 个，已达上限（每天 5 个）" and its kin.
pub fn refusal_message(t: T, r: &PoolRefusal) -> String {
    match r {
        PoolRefusal::Claim { refusal, claimed } => match refusal {
            ClaimRefusal::Limit { period, limit } => t.fmt(
                "pools.limit_reached",
                &[
                    ("claimed", &claimed.to_string()),
                    ("limit", &limit.to_string()),
                    ("when", t.t(&format!("{}_when", period_key(period)))),
                    ("per", t.t(period_key(period))),
                ],
            ),
            ClaimRefusal::OwnershipCap { owned, cap } => t.fmt(
                "pools.cap_reached",
                &[("owned", &owned.to_string()), ("cap", &cap.to_string())],
            ),
            ClaimRefusal::ReclaimBanned { until } => t.fmt(
                "pools.reclaim_banned",
                &[("until", &until.format("%Y-%m-%d %H:%M UTC").to_string())],
            ),
        },
        PoolRefusal::LockLimit { limit } => {
            t.fmt("pools.lock_limit", &[("limit", &limit.to_string())])
        }
    }
}

/// The problem+json extras: a stable `code` and the figures.
pub fn refusal_body(r: &PoolRefusal, body: &mut Value) {
    let (code, figures) = match r {
        PoolRefusal::Claim { refusal, claimed } => match refusal {
            ClaimRefusal::Limit { period, limit } => (
                "claim_limit",
                json!({ "period": period, "limit": limit, "claimed": claimed }),
            ),
            ClaimRefusal::OwnershipCap { owned, cap } => {
                ("ownership_cap", json!({ "owned": owned, "cap": cap }))
            }
            ClaimRefusal::ReclaimBanned { until } => ("reclaim_banned", json!({ "until": until })),
        },
        PoolRefusal::LockLimit { limit } => ("lock_limit", json!({ "limit": limit })),
    };
    body["code"] = json!(code);
    body["limits"] = figures;
}
