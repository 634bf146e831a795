//! Routing unrouted leads (线索分配): the admin's rule list, and routing a lead right after
//! intake. The decision is the domain's (`kehu_domain::routing::route`); the store applies it
//! in one transaction. This module also puts a stored decision into the reader's words.

use crate::availability::FEED_SETTINGS;
use crate::error::AppError;
use crate::i18n::T;
use crate::pools::admin_only;
use crate::state::AppState;
use chrono::FixedOffset;
use kehu_domain::Actor;
use kehu_domain::availability::{FeedHealth, FeedSettings};
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::ids::UserId;
use kehu_domain::lead::LeadId;
use kehu_domain::routing::{
    CandidateVerdict, Factors, FeedAlert, FormerOwner, FormerVerdict, LeadRoutingSettings,
    RoutingExplanation, RoutingRule, RuleTrial, Skip, TrialResult, note_availability,
    route_with_former, validate_rules,
};
use kehu_store::Store;
use kehu_store::leads::DueStep;
use kehu_store::routing::{Decide, RouteFrom, RouteWith, Routed};
use std::collections::HashMap;

/// The rule list, for admins.
pub async fn rules(state: &AppState, actor: &Actor) -> Result<Vec<RoutingRule>, AppError> {
    admin_only(actor)?;
    let stored = state.store.routing_rules().await?;
    Ok(stored.into_iter().map(|s| s.rule).collect())
}

/// Replaces the rule list after checking it with [`check_rules`].
pub async fn save_rules(
    state: &AppState,
    actor: &Actor,
    rules: &[RoutingRule],
) -> Result<(), AppError> {
    admin_only(actor)?;
    check_rules(&state.store, rules).await?;
    state
        .store
        .replace_routing_rules(rules, state.now())
        .await?;
    // The leads waiting for a rep meet the new rules at once, not at the next pass.
    if let Err(e) = crate::jobs::reroute_pass(state).await {
        tracing::warn!(error = %e, "routing waiting leads after a rule change failed");
    }
    Ok(())
}

/// Checks a rule list as saving it would: every field error at once, and every target rep
/// an active user (`rules[0].target.reps[2].user`).
pub async fn check_rules(store: &Store, rules: &[RoutingRule]) -> Result<(), AppError> {
    let mut errs = validate_rules(rules).err().unwrap_or_default();
    let mut known: HashMap<UserId, bool> = HashMap::new();
    for (i, rule) in rules.iter().enumerate() {
        for (j, rep) in rule.target.reps.iter().enumerate() {
            let ok = match known.get(&rep.user) {
                Some(ok) => *ok,
                None => {
                    let ok = store.actor(rep.user).await?.is_some();
                    *known.entry(rep.user).or_insert(ok)
                }
            };
            if !ok {
                let field = format!("rules[{i}].target.reps[{j}].user");
                errs.0.push(FieldError::new(field, "routing_unknown_rep"));
            }
        }
    }
    for (i, rule) in rules.iter().enumerate() {
        for (field, team) in [
            ("team", rule.target.team),
            ("lead_pool", rule.target.lead_pool),
        ] {
            if let Some(team) = team
                && store.team_reps(team).await?.is_none()
            {
                let field = format!("rules[{i}].target.{field}");
                errs.0.push(FieldError::new(field, "routing_unknown_team"));
            }
        }
    }
    if errs.0.is_empty() {
        Ok(())
    } else {
        Err(FieldErrors(errs.0).into())
    }
}

/// The settings key of [`LeadRoutingSettings`].
pub const LEAD_ROUTING: &str = "lead_routing";

/// Routes a lead still waiting for a rep again (see `jobs::reroute_pass`). `None`: it was
/// routed meanwhile.
pub async fn route_waiting(state: &AppState, lead: LeadId) -> Result<Option<Routed>, AppError> {
    route_from(state, lead, RouteFrom::Unrouted).await
}

/// Routes a lead whose rep let its response window pass to the next candidate by the rules,
/// never to a rep who missed it; when nobody else can take it, it stays and the managers
/// are told. `None`: the lead moved meanwhile (answered, or reassigned by another instance).
pub async fn reassign(state: &AppState, due: &DueStep) -> Result<Option<Routed>, AppError> {
    let from = RouteFrom::Missed {
        rep: due.assigned_to,
        step: due.step,
    };
    route_from(state, due.lead, from).await
}

/// Routes `lead` from where it stands by the rules, in a transaction of its own.
async fn route_from(
    state: &AppState,
    lead: LeadId,
    from: RouteFrom,
) -> Result<Option<Routed>, AppError> {
    let with = router(state).await?;
    Ok(state.store.route_lead(lead, from, &with).await?)
}

/// How leads are routed now: at the state's now, by the settings, with the availability
/// feed's health noted in every decision (and its fallback applied). One read.
pub async fn router(state: &AppState) -> Result<RouteWith<impl Decide>, AppError> {
    let now = state.now();
    let local = state.config.utc_offset;
    let (feed_state, feed, prefer): (_, FeedSettings, LeadRoutingSettings) = state
        .store
        .feed_with_settings(FEED_SETTINGS, LEAD_ROUTING)
        .await?;
    let health = FeedHealth::of(&feed_state.status, &feed, now);
    let feed_leave = crate::availability::counts_feed_leave(health, &feed);
    let decide = move |facts: &_, former: Option<&FormerOwner>, rules: &_, candidates: &_| {
        let former = former.filter(|_| prefer.prefer_former_owner);
        let mut routing = route_with_former(facts, former, rules, candidates, now, local);
        note_availability(&mut routing, health, feed.fallback);
        routing
    };
    Ok(RouteWith {
        now,
        local,
        feed_leave,
        decide,
    })
}

/// A stored decision in the reader's words: the verdict first, then one line per rule tried
/// and per candidate of the rules that tried their reps.
/// `pool` names the team of a lead pool the lead went to.
pub fn routing_lines(
    t: T,
    offset: FixedOffset,
    e: &RoutingExplanation,
    pool: Option<&str>,
) -> Vec<String> {
    let mut lines = vec![headline(t, e, pool)];
    if let Some(v) = &e.former_owner {
        lines.push(former_line(t, offset, v, e.former_owner_name.as_deref()));
    }
    if let Some(alert) = &e.availability {
        lines.push(alert_line(t, offset, alert));
    }
    for trial in &e.rules {
        lines.push(trial_line(t, trial));
        for c in &trial.candidates {
            lines.push(format!("— {}", candidate_line(t, offset, c)));
        }
    }
    lines
}

/// "王芳: score 0.188 (load 0.333 × response 0.750 × win rate 0.750), chosen".
fn dynamic_line(t: T, rep: &str, c: &CandidateVerdict) -> String {
    let f = c.factors.unwrap_or(Factors {
        saturation: 0,
        responsiveness: 0,
        capability: 0,
    });
    let milli = |v: u32| format!("{:.3}", f64::from(v) / 1000.0);
    let score = format!("{:.3}", c.score.unwrap_or_default() as f64 / 1e6);
    let key = if c.chosen {
        "routing.dynamic_chosen"
    } else {
        "routing.dynamic_score"
    };
    let args = [
        ("rep", rep),
        ("score", score.as_str()),
        ("saturation", &milli(f.saturation)),
        ("responsiveness", &milli(f.responsiveness)),
        ("capability", &milli(f.capability)),
    ];
    t.fmt(key, &args)
}

/// "Availability feed stale since 11-29 08:00: used the last known leave".
fn alert_line(t: T, offset: FixedOffset, a: &FeedAlert) -> String {
    let (key, since) = match a.health {
        FeedHealth::Stale { since } => ("routing.alert_stale", since),
        FeedHealth::Invalid { since } => ("routing.alert_invalid", since),
        FeedHealth::Unused | FeedHealth::Healthy => return String::new(),
    };
    let since = since
        .with_timezone(&offset)
        .format("%m-%d %H:%M")
        .to_string();
    let fallback = t
        .t(&format!("routing.fallback_{}", a.fallback.code()))
        .to_owned();
    t.fmt(key, &[("since", &since), ("fallback", &fallback)])
}

/// The former owner's verdict: given back, banned until …, or skipped and why.
fn former_line(t: T, offset: FixedOffset, v: &FormerVerdict, name: Option<&str>) -> String {
    let rep = |user: UserId| name.map_or_else(|| format!("#{user}"), str::to_owned);
    match v {
        &FormerVerdict::Chosen { user } => t.fmt("routing.former_chosen", &[("rep", &rep(user))]),
        &FormerVerdict::Banned { user, until } => {
            let until = until
                .with_timezone(&offset)
                .format("%m-%d %H:%M")
                .to_string();
            t.fmt(
                "routing.former_banned",
                &[("rep", &rep(user)), ("until", &until)],
            )
        }
        FormerVerdict::Skipped { user, skip } => {
            let verdict = CandidateVerdict {
                user: *user,
                name: name.map(str::to_owned),
                score: None,
                factors: None,
                skip: Some(skip.clone()),
                chosen: false,
            };
            let why = candidate_line(t, offset, &verdict);
            t.fmt("routing.former_skipped", &[("why", &why)])
        }
    }
}

fn headline(t: T, e: &RoutingExplanation, pool: Option<&str>) -> String {
    if let (Some(FormerVerdict::Chosen { .. }), Some(_)) = (&e.former_owner, e.chosen) {
        return t.t("routing.former_headline").to_owned();
    }
    match (e.deciding(), e.chosen) {
        (Some(trial), Some(user)) => {
            let rep = rep_name(trial, user);
            t.fmt("routing.chosen", &[("rule", &trial.name), ("rep", &rep)])
        }
        (Some(trial), None) if e.pooled.is_some() => {
            let id = e.pooled.map_or(0, |t| t.0);
            let team = pool.map_or_else(|| format!("#{id}"), str::to_owned);
            t.fmt("routing.pooled", &[("rule", &trial.name), ("team", &team)])
        }
        _ => t.t("routing.none").to_owned(),
    }
}

fn rep_name(trial: &RuleTrial, user: UserId) -> String {
    trial
        .candidates
        .iter()
        .find(|c| c.user == user)
        .and_then(|c| c.name.clone())
        .unwrap_or_else(|| format!("#{user}"))
}

fn trial_line(t: T, trial: &RuleTrial) -> String {
    let rule = [("rule", trial.name.as_str())];
    match trial.result {
        TrialResult::Inactive => t.fmt("routing.rule_inactive", &rule),
        TrialResult::NoMatch { miss } => {
            let miss = t.t(&format!("routing.miss_{}", miss.code())).to_owned();
            t.fmt("routing.rule_miss", &[rule[0], ("miss", &miss)])
        }
        TrialResult::AllSkipped => t.fmt("routing.rule_all_skipped", &rule),
        TrialResult::Chosen { .. } | TrialResult::Pooled { .. } => {
            t.fmt("routing.rule_chosen", &rule)
        }
    }
}

fn candidate_line(t: T, offset: FixedOffset, c: &CandidateVerdict) -> String {
    let rep = c.name.clone().unwrap_or_else(|| format!("#{}", c.user));
    match c.skip.as_ref() {
        Some(Skip::NoSkill { industry }) => t.fmt(
            "routing.skip_no_skill",
            &[("rep", &rep), ("industry", industry)],
        ),
        Some(&Skip::OnLeave { until }) => {
            let until = until
                .with_timezone(&offset)
                .format("%m-%d %H:%M")
                .to_string();
            t.fmt("routing.skip_on_leave", &[("rep", &rep), ("until", &until)])
        }
        Some(&Skip::AtCap { owned, cap }) => t.fmt(
            "routing.skip_at_cap",
            &[
                ("rep", &rep),
                ("owned", &owned.to_string()),
                ("cap", &cap.to_string()),
            ],
        ),
        Some(skip) => t.fmt(&format!("routing.skip_{}", skip.code()), &[("rep", &rep)]),
        None if c.factors.is_some() => dynamic_line(t, &rep, c),
        None => {
            let score = c.score.unwrap_or_default().to_string();
            let key = if c.chosen {
                "routing.candidate_chosen"
            } else {
                "routing.candidate_score"
            };
            t.fmt(key, &[("rep", &rep), ("score", &score)])
        }
    }
}
