//! The routing simulator (分配模拟): replays the leads of a date range through a draft rule
//! list and through the live one, over the same leads and the same facts, and writes nothing.
//! The replay is the domain's (`kehu_domain::routing::simulate`); the API, the page and
//! `kehu routing simulate` all come through [`compare`].

use crate::api::parse_json;
use crate::error::AppError;
use crate::routing::check_rules;
use crate::state::AppState;
use chrono::{DateTime, FixedOffset, Utc};
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::ids::UserId;
use kehu_domain::routing::{BreachRates, RoutingRule, Simulation, SimulationRange, simulate};
use kehu_domain::{Actor, Role};
use kehu_store::Store;
use serde::{Deserialize, Serialize};

/// What to simulate, every field raw (`POST /api/v1/routing/simulate`, the page's form).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulateInput {
    /// Start: RFC 3339, or a date (its local midnight).
    pub from: Option<String>,
    /// End: RFC 3339 (excluded), or a date (included).
    pub to: Option<String>,
    /// The draft rule list; without it only the live rules are simulated.
    #[serde(default)]
    pub rules: Option<Vec<RoutingRule>>,
}

/// A draft's simulation beside the live rules', over the same leads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// First instant replayed.
    pub from: DateTime<Utc>,
    /// First instant not replayed.
    pub to: DateTime<Utc>,
    /// The draft's, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<Simulation>,
    /// The live rules'.
    pub live: Simulation,
}

/// Admins and managers may simulate; reps may not.
pub fn may_simulate(actor: &Actor) -> Result<(), AppError> {
    match actor.role {
        Role::Admin | Role::Manager => Ok(()),
        Role::Rep => Err(AppError::Forbidden),
    }
}

/// The simulation `actor` asked for.
pub async fn run(
    state: &AppState,
    actor: &Actor,
    input: &SimulateInput,
) -> Result<Comparison, AppError> {
    may_simulate(actor)?;
    compare(&state.store, input, state.now(), state.config.utc_offset).await
}

/// Checks `input` (every field error at once: `from`, `to`, `rules[0].target.reps`), reads
/// the range's leads and the reps' facts once, and replays them through the draft (if any)
/// and the live rules. Breach rates are judged at `now`; dates and rule hours read in
/// `local`. No access check: callers decide who may.
pub async fn compare(
    store: &Store,
    input: &SimulateInput,
    now: DateTime<Utc>,
    local: FixedOffset,
) -> Result<Comparison, AppError> {
    let range = check(store, input, local).await?;
    let mut live: Vec<RoutingRule> = store
        .routing_rules()
        .await?
        .into_iter()
        .map(|s| s.rule)
        .collect();
    let mut draft = input.rules.clone();
    // Team targets are read at each lead in routing; the replay takes today's members.
    store.expand_team_targets(&mut live).await?;
    if let Some(d) = draft.as_mut() {
        store.expand_team_targets(d).await?;
    }
    let users = reps_of(draft.iter().flatten().chain(&live));
    let facts = store.simulation_facts(range.from, range.to, &users).await?;
    // The replay is CPU work (0.1–0.4 s per rule list and 100,000 leads on 2 shared cores,
    // docs/BENCHMARKS.md): off the async workers, so other requests are not held up.
    let (draft, live) = tokio::task::spawn_blocking(move || {
        let rates = BreachRates::from_history(&facts.windows, now);
        let replay =
            |rules: &[RoutingRule]| simulate(&facts.leads, rules, &facts.candidates, &rates, local);
        (draft.as_deref().map(replay), replay(&live))
    })
    .await
    .map_err(|e| AppError::Internal(format!("simulation: {e}")))?;
    Ok(Comparison {
        from: range.from,
        to: range.to,
        draft,
        live,
    })
}

/// The range of `input`, once it and the draft rules (checked as saving them would) are
/// valid; otherwise every field error at once.
async fn check(
    store: &Store,
    input: &SimulateInput,
    local: FixedOffset,
) -> Result<SimulationRange, AppError> {
    let range = SimulationRange::parse(input.from.as_deref(), input.to.as_deref(), local);
    let mut errs = range.as_ref().err().cloned().unwrap_or_default();
    if let Some(draft) = &input.rules {
        match check_rules(store, draft).await {
            Ok(()) => {}
            Err(AppError::Fields(e)) => errs.0.extend(e.0),
            Err(other) => return Err(other),
        }
    }
    match range {
        Ok(r) if errs.0.is_empty() => Ok(r),
        _ => Err(errs.into()),
    }
}

/// The reps of the active rules of `rules`, each once.
fn reps_of<'a>(rules: impl Iterator<Item = &'a RoutingRule>) -> Vec<UserId> {
    let mut users: Vec<UserId> = rules
        .filter(|r| r.active)
        .flat_map(|r| r.target.reps.iter().map(|t| t.user))
        .collect();
    users.sort_unstable();
    users.dedup();
    users
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleList {
    rules: Vec<RoutingRule>,
}

/// Reads a rule list written as JSON: `{"rules": […]}` (as `GET /api/v1/routing-rules`
/// answers it) or the bare array. Errors name the field with its path (`rules[0].strategy`,
/// `rules[1].target`), or `rules` for text that is not JSON at all.
pub fn parse_rules_json(text: &str) -> Result<Vec<RoutingRule>, FieldError> {
    let text = text.trim();
    let json = if text.starts_with('[') {
        format!("{{\"rules\": {text}}}")
    } else {
        text.to_owned()
    };
    let e = match parse_json::<RuleList>(json.as_bytes()) {
        Ok(list) => return Ok(list.rules),
        Err(e) => e,
    };
    if e.field == "body" {
        return Err(FieldError::new("rules", e.code));
    }
    // The body parser names nested fields with their path (`rules[0].target`).
    Err(e)
}

/// Field errors of a simulation as `field: message` lines in English (the CLI's words).
pub fn error_lines(errs: &FieldErrors) -> Vec<String> {
    let t = crate::i18n::T(crate::i18n::Locale::En);
    errs.0
        .iter()
        .map(|e| format!("{}: {}", e.field, crate::error::field_message(t, e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_list_reads_as_an_object_or_a_bare_array_and_errors_name_the_field() {
        let one =
            r#"[{"name": "全国", "target": {"reps": [{"user": 7}]}, "strategy": "round_robin"}]"#;
        let bare = parse_rules_json(one).expect("array");
        let object = parse_rules_json(&format!("{{\"rules\": {one}}}")).expect("object");
        assert_eq!((bare.len(), &bare), (1, &object));
        let typo = one.replace("round_robin", "random");
        let e = parse_rules_json(&typo).unwrap_err();
        assert_eq!(
            (e.field.as_ref(), e.code),
            ("rules[0].strategy", "unknown_value")
        );
        let region = one.replace(
            r#""strategy""#,
            r#""criteria": {"regions": ["华东", "江南"]}, "strategy""#,
        );
        let e = parse_rules_json(&region).unwrap_err();
        assert_eq!(
            (e.field.as_ref(), e.code),
            ("rules[0].criteria.regions[1]", "unknown_value")
        );
        let e = parse_rules_json(r#"[{"name": "#).unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("rules", "invalid_json"));
        let colour = r#"[{"name": "x", "target": {"reps": []}, "strategy": "round_robin",
                          "colour": "red"}]"#;
        let e = parse_rules_json(colour).unwrap_err();
        assert_eq!(
            (e.field.as_ref(), e.code),
            ("rules[0].colour", "unknown_field")
        );
        let no_target = r#"[{"name": "x", "strategy": "round_robin"}]"#;
        let e = parse_rules_json(no_target).unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("rules[0].target", "required"));
    }
}
