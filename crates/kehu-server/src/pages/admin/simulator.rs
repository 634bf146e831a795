//! `/admin/routing/simulate`: the routing simulator's page (admins and managers). A form with
//! the date range and the draft rules as JSON (filled in with the live rules); the answer is
//! the same page with a bar chart (drawn server-side as SVG) and the table under it, draft
//! and live side by side. Errors re-render the form with the input kept, at their field.

use super::simulator_chart::{Chart, layout, percent};
use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError, field_message};
use crate::i18n::T;
use crate::pages::Nav;
use crate::simulator::{self, Comparison, SimulateInput, may_simulate, parse_rules_json};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Days, Duration};
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::routing::{RepOutcome, RoutingRule, Simulation, SimulationRange};
use serde::Deserialize;

/// The simulator routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/routing/simulate", get(form).post(run))
        .route("/admin/routing/rules", post(enable))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/simulator.html")]
struct SimulatorPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    /// The form as shown (the posted values after a run or an error).
    from: String,
    to: String,
    rules: String,
    /// `from`, `to` and `rules…` errors, each `(field, message)`.
    errors: Vec<(String, String)>,
    result: Option<Results>,
    /// An admin, who may make a simulated draft the live rules.
    can_enable: bool,
}

impl SimulatorPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// The errors of the draft rules, `rules[0].target.reps: …`.
    fn rule_errors(&self) -> Vec<String> {
        self.errors
            .iter()
            .filter(|(f, _)| f.starts_with("rules"))
            .map(|(f, m)| format!("{f}: {m}"))
            .collect()
    }
}

/// A simulation as shown.
struct Results {
    from: String,
    to: String,
    has_draft: bool,
    /// The rule lists shown, `live` then `draft`.
    lists: Vec<&'static str>,
    chart: Chart,
    rows: Vec<RepRow>,
    /// Summary figures: label key, live, draft.
    figures: Vec<(&'static str, String, String)>,
    empty: bool,
}

/// One rep's table row.
struct RepRow {
    user: i64,
    name: String,
    /// Per rule list shown, its cells.
    lists: Vec<(&'static str, Cells)>,
}

/// One rule list's cells of a row.
struct Cells {
    received: String,
    share: String,
    target: String,
    deviation: String,
    breaches: String,
}

#[derive(Debug, Default, Deserialize)]
struct SimulateForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    rules: String,
}

#[derive(Debug, Deserialize)]
struct FlashQuery {
    flash: Option<String>,
}

async fn form(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<FlashQuery>,
) -> Result<SimulatorPage, PageError> {
    may_simulate(&session.actor)?;
    let live: Vec<_> = state
        .store
        .routing_rules()
        .await?
        .into_iter()
        .map(|s| s.rule)
        .collect();
    let rules = serde_json::to_string_pretty(&serde_json::json!({ "rules": live }))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // The last 30 days, today included.
    let today = state
        .now()
        .with_timezone(&state.config.utc_offset)
        .date_naive();
    let from = today.checked_sub_days(Days::new(29)).unwrap_or(today);
    let input = SimulateForm {
        from: from.format("%Y-%m-%d").to_string(),
        to: today.format("%Y-%m-%d").to_string(),
        rules,
    };
    let mut p = page(&session, input, Vec::new(), None);
    p.flash = q
        .flash
        .filter(|f| f == "rules_saved")
        .map(|_| T(session.locale).t("simulate.rules_saved").to_owned());
    Ok(p)
}

#[derive(Debug, Deserialize)]
struct EnableForm {
    #[serde(default)]
    rules: String,
}

/// Makes the simulated draft the live rule list (admins), checked as the API checks it; an
/// error shows the draft again with every field named.
async fn enable(
    State(state): State<AppState>,
    CsrfForm(session, form): CsrfForm<EnableForm>,
) -> Result<Response, PageError> {
    if !session.actor.is_admin() {
        return Err(AppError::Forbidden.into());
    }
    let saved = match parse_rules_json(&form.rules) {
        Ok(rules) => crate::routing::save_rules(&state, &session.actor, &rules).await,
        Err(e) => Err(AppError::Fields(e.into())),
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/admin/routing/simulate?flash=rules_saved").into_response()),
        Err(AppError::Fields(errs)) => {
            let today = state
                .now()
                .with_timezone(&state.config.utc_offset)
                .date_naive();
            let input = SimulateForm {
                from: today.format("%Y-%m-%d").to_string(),
                to: today.format("%Y-%m-%d").to_string(),
                rules: form.rules,
            };
            let p = page(&session, input, messages(T(session.locale), &errs), None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn run(
    State(state): State<AppState>,
    CsrfForm(session, form): CsrfForm<SimulateForm>,
) -> Result<Response, PageError> {
    may_simulate(&session.actor)?;
    let t = T(session.locale);
    let outcome = match draft(&form.rules) {
        Ok(rules) => {
            let input = SimulateInput {
                from: Some(form.from.clone()),
                to: Some(form.to.clone()),
                rules,
            };
            simulator::run(&state, &session.actor, &input).await
        }
        // Not JSON: still check the range, so every error shows at once.
        Err(e) => {
            let local = state.config.utc_offset;
            let range = SimulationRange::parse(Some(&form.from), Some(&form.to), local);
            let mut errs = range.err().unwrap_or_default();
            errs.0.push(e);
            Err(AppError::Fields(errs))
        }
    };
    match outcome {
        Ok(c) => {
            let results = results(t, &state, &c);
            Ok(page(&session, form, Vec::new(), Some(results)).into_response())
        }
        Err(AppError::Fields(errs)) => {
            let errors = messages(t, &errs);
            let p = page(&session, form, errors, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The draft typed in the text area; empty: none (the live rules only).
fn draft(text: &str) -> Result<Option<Vec<RoutingRule>>, FieldError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_rules_json(text).map(Some)
}

fn messages(t: T, errs: &FieldErrors) -> Vec<(String, String)> {
    errs.0
        .iter()
        .map(|e| (e.field.to_string(), field_message(t, e)))
        .collect()
}

fn page(
    session: &Session,
    form: SimulateForm,
    errors: Vec<(String, String)>,
    result: Option<Results>,
) -> SimulatorPage {
    SimulatorPage {
        t: T(session.locale),
        nav: Some(Nav::new(session, "simulate")),
        flash: None,
        csrf: session.csrf.clone(),
        from: form.from,
        to: form.to,
        rules: form.rules,
        errors,
        result,
        can_enable: session.actor.is_admin(),
    }
}

fn results(t: T, state: &AppState, c: &Comparison) -> Results {
    let offset = state.config.utc_offset;
    let day = |at: chrono::DateTime<chrono::Utc>| {
        at.with_timezone(&offset).format("%Y-%m-%d").to_string()
    };
    // The range's last day: `to` is the first instant not replayed.
    let last = c.to - Duration::microseconds(1);
    let mut reps: Vec<(i64, String)> = Vec::new();
    for r in c
        .live
        .reps
        .iter()
        .chain(c.draft.iter().flat_map(|d| d.reps.iter()))
    {
        if !reps.iter().any(|(u, _)| *u == r.user.0) {
            reps.push((r.user.0, name(t, r)));
        }
    }
    let mut lists: Vec<(&'static str, &Simulation)> = vec![("live", &c.live)];
    if let Some(d) = &c.draft {
        lists.push(("draft", d));
    }
    let rows = reps
        .iter()
        .map(|(user, name)| RepRow {
            user: *user,
            name: name.clone(),
            lists: lists
                .iter()
                .map(|(l, s)| (*l, cells(t, s, *user)))
                .collect(),
        })
        .collect();
    Results {
        from: day(c.from),
        to: day(last),
        has_draft: c.draft.is_some(),
        lists: lists.iter().map(|(l, _)| *l).collect(),
        chart: layout(t, &reps, &lists),
        rows,
        figures: figures(t, &c.live, c.draft.as_ref()),
        empty: c.live.leads == 0,
    }
}

fn name(t: T, r: &RepOutcome) -> String {
    r.name
        .clone()
        .unwrap_or_else(|| t.fmt("simulate.unknown_rep", &[("id", &r.user.0.to_string())]))
}

impl Cells {
    fn blank() -> Cells {
        Cells {
            received: String::new(),
            share: String::new(),
            target: String::new(),
            deviation: String::new(),
            breaches: String::new(),
        }
    }
}

fn cells(t: T, s: &Simulation, user: i64) -> Cells {
    let Some(r) = s.reps.iter().find(|r| r.user.0 == user) else {
        return Cells::blank();
    };
    Cells {
        received: r.received.to_string(),
        share: percent(r.share),
        target: percent(r.target),
        deviation: format!("{:+.1}", r.deviation * 100.0),
        breaches: estimate(t, r.expected_breaches),
    }
}

fn estimate(t: T, v: Option<f64>) -> String {
    v.map_or_else(
        || t.t("simulate.no_estimate").to_owned(),
        |v| format!("{v:.1}"),
    )
}

/// One summary figure of a simulation, as shown.
type Figure = fn(T, &Simulation) -> String;

fn figures(
    t: T,
    live: &Simulation,
    draft: Option<&Simulation>,
) -> Vec<(&'static str, String, String)> {
    let rows: [(&'static str, Figure); 8] = [
        ("simulate.leads", |_, s| s.leads.to_string()),
        ("simulate.routed", |_, s| s.routed.to_string()),
        ("simulate.pooled", |_, s| s.pooled.to_string()),
        ("simulate.unrouted", |_, s| s.unrouted.to_string()),
        ("simulate.unmatched", |_, s| s.unmatched.to_string()),
        ("simulate.max_deviation", |_, s| {
            format!("{:.1}", s.fairness.max_deviation * 100.0)
        }),
        ("simulate.gini", |_, s| format!("{:.3}", s.fairness.gini)),
        ("simulate.breaches", |t, s| estimate(t, s.expected_breaches)),
    ];
    rows.iter()
        .map(|(key, f)| {
            (
                *key,
                f(t, live),
                draft.map_or_else(String::new, |d| f(t, d)),
            )
        })
        .collect()
}
