//! `/customers/{id}/follow-ups/new`: log a follow-up. Errors re-render the form with the
//! input kept; a saved follow-up returns to the customer page saying whether it counts.

use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError, field_message};
use crate::follow_ups as actions;
use crate::i18n::T;
use crate::pages::{Nav, PageId};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kehu_domain::access::can_change;
use kehu_domain::followup::{EffectivenessRules, FollowUpInput, FollowUpKind, KindRule};
use kehu_domain::ids::CustomerId;
use serde::Deserialize;
use std::collections::HashMap;

/// The form as posted (and as re-shown after an error).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowUpForm {
    kind: String,
    content: String,
    tags: String,
    duration_secs: String,
    contact_id: String,
    next_follow_up_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/follow_up.html")]
/// The follow-up form.
pub struct FollowUpPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    customer_id: i64,
    customer_name: String,
    form: FollowUpForm,
    errors: HashMap<String, String>,
    /// (code, label, what makes it count)
    kinds: Vec<(&'static str, String, String)>,
    contacts: Vec<(i64, String)>,
}

impl FollowUpPage {
    /// The error message of `field`, if any (for the template).
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

/// "Counts when: at least 15 characters" for one kind's rule.
fn rule_text(t: T, rule: KindRule) -> String {
    let mut parts = Vec::new();
    if rule.min_chars > 0 {
        parts.push(t.fmt(
            "follow_up.rule_chars",
            &[("n", &rule.min_chars.to_string())],
        ));
    }
    if rule.min_duration_secs > 0 {
        let n = rule.min_duration_secs.to_string();
        parts.push(t.fmt("follow_up.rule_duration", &[("n", &n)]));
    }
    if rule.needs_contact {
        parts.push(t.t("follow_up.rule_contact").to_owned());
    }
    if parts.is_empty() {
        return t.t("follow_up.rule_always").to_owned();
    }
    parts.join(t.t("follow_up.rule_and"))
}

async fn render(
    state: &AppState,
    session: &Session,
    id: CustomerId,
    form: FollowUpForm,
    errors: HashMap<String, String>,
) -> Result<FollowUpPage, AppError> {
    let t = T(session.locale);
    let view = state
        .store
        .customer_for(&session.actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !can_change(&session.actor, view.facts()) {
        return Err(AppError::Forbidden);
    }
    let rules: EffectivenessRules = state.store.setting(actions::EFFECTIVENESS).await?;
    let contacts = state.store.contacts(id).await?;
    Ok(FollowUpPage {
        t,
        nav: Some(Nav::new(session, "mine")),
        flash: None,
        csrf: session.csrf.clone(),
        customer_id: id.0,
        customer_name: view.customer.name,
        form,
        errors,
        kinds: FollowUpKind::ALL
            .iter()
            .map(|k| {
                let label = t.t(&format!("follow_up.kind_{}", k.code())).to_owned();
                (k.code(), label, rule_text(t, rules.rule(*k)))
            })
            .collect(),
        contacts: contacts.into_iter().map(|c| (c.id.0, c.name)).collect(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    PageId(id): PageId,
    session: Session,
) -> Result<FollowUpPage, PageError> {
    let form = FollowUpForm {
        kind: "call".to_owned(),
        ..FollowUpForm::default()
    };
    Ok(render(&state, &session, CustomerId(id), form, HashMap::new()).await?)
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

pub async fn submit(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(session, form): CsrfForm<FollowUpForm>,
) -> Result<Response, PageError> {
    let input = FollowUpInput {
        kind: some(&form.kind),
        content: some(&form.content),
        tags: some(&form.tags),
        duration_secs: some(&form.duration_secs),
        contact_id: some(&form.contact_id),
        next_follow_up_at: some(&form.next_follow_up_at),
    };
    match actions::log(&state, &session.actor, CustomerId(id), &input).await {
        Ok(logged) => {
            let flash = if logged.effective {
                "follow_up_effective"
            } else {
                "follow_up_not_effective"
            };
            Ok(Redirect::to(&format!("/customers/{id}?flash={flash}")).into_response())
        }
        Err(AppError::Fields(errs)) => {
            let t = T(session.locale);
            let errors = errs
                .0
                .iter()
                .map(|e| (e.field.to_string(), field_message(t, e)))
                .collect();
            let page = render(&state, &session, CustomerId(id), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// One follow-up in the customer page's history.
pub struct HistoryRow {
    pub(super) at: String,
    pub(super) who: String,
    pub(super) kind: String,
    pub(super) content: String,
    pub(super) tags: Vec<String>,
    pub(super) effective: bool,
    /// Why it does not count, when it does not.
    pub(super) unmet: String,
}

/// The customer page's follow-up section: protection, history, and the way to add one.
pub struct Section {
    /// "保护期至 …", with why.
    pub protection: Option<(String, String)>,
    /// Newest first.
    pub rows: Vec<HistoryRow>,
    /// The actor may log one.
    pub can_add: bool,
}

fn unmet_text(t: T, raw: &str) -> String {
    let unmet: Vec<serde_json::Value> = serde_json::from_str(raw).unwrap_or_default();
    unmet
        .iter()
        .map(|u| {
            let code = u["code"].as_str().unwrap_or("");
            let min = u["min"].as_u64().map(|m| m.to_string()).unwrap_or_default();
            t.fmt(&format!("follow_up.unmet_{code}"), &[("min", &min)])
        })
        .collect::<Vec<_>>()
        .join(t.t("follow_up.rule_and"))
}

/// Builds the section for a customer the actor may read unmasked (empty otherwise: a pool
/// customer's history is its next owner's to see after claiming).
pub async fn section(
    state: &AppState,
    t: T,
    actor: &kehu_domain::Actor,
    view: &kehu_store::customers::CustomerView,
) -> Result<Section, AppError> {
    let full = view.visibility == kehu_domain::access::Visibility::Full;
    if !full {
        return Ok(Section {
            protection: None,
            rows: Vec::new(),
            can_add: false,
        });
    }
    let offset = state.config.utc_offset;
    let rules: kehu_domain::ownership::protection::ProtectionRules =
        state.store.setting(actions::PROTECTION).await?;
    let c = &view.customer;
    let policy = rules.policy(c.source, c.grade);
    let protection = actions::protection_of(state, view).await?.map(|p| {
        let until = crate::pages::local_time(p.until, offset);
        let head = if p.covers(state.now()) {
            t.fmt("follow_up.protected_until", &[("until", &until)])
        } else {
            t.fmt("follow_up.protection_over", &[("until", &until)])
        };
        let why = t.fmt(
            "follow_up.protected_why",
            &[
                ("initial", &policy.initial_days.to_string()),
                ("extend", &policy.extend_days.to_string()),
                ("count", &p.extensions.to_string()),
                ("cap", &policy.cap_days.to_string()),
            ],
        );
        (head, why)
    });
    let rows = state
        .store
        .follow_ups(c.id)
        .await?
        .into_iter()
        .map(|f| HistoryRow {
            at: crate::pages::local_time(f.at, offset),
            tags: f.tag_list(),
            unmet: unmet_text(t, &f.unmet),
            who: f.author_name,
            kind: t.t(&format!("follow_up.kind_{}", f.kind)).to_owned(),
            content: f.content,
            effective: f.effective,
        })
        .collect();
    Ok(Section {
        protection,
        rows,
        can_add: can_change(actor, view.facts()),
    })
}
