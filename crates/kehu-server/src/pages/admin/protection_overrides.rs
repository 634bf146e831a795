//! The protection period per source and per grade on `/admin/rules`: list, add, change and
//! remove an override. Each override is its own small form whose fields are named like the
//! API's errors (`by_source.web.cap_days`); the add form's are `new.<field>`. Every save goes
//! through the same setting (and so the same audit log) as `PUT /api/v1/settings/protection-periods`.

use super::rules::{PROTECTION_NUMBERS, render_with};
use crate::auth::CsrfForm;
use crate::error::PageError;
use crate::follow_ups::{EFFECTIVENESS, PROTECTION};
use crate::i18n::T;
use crate::pools::admin_only;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use kehu_domain::FieldError;
use kehu_domain::customer::{Grade, Source};
use kehu_domain::error::FieldErrors;
use kehu_domain::followup::EffectivenessRules;
use kehu_domain::ownership::protection::{ProtectionPolicy, ProtectionRules};
use std::collections::HashMap;

/// The override routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/admin/rules/protection", post(save))
}

/// What an override applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Source(Source),
    Grade(Grade),
}

impl Scope {
    /// Every scope, sources first.
    fn all() -> impl Iterator<Item = Scope> {
        let sources = Source::ALL.iter().map(|s| Scope::Source(*s));
        sources.chain(Grade::ALL.iter().map(|g| Scope::Grade(*g)))
    }

    /// `by_source.web`: the form's value and the prefix of its fields and errors.
    fn path(self) -> String {
        match self {
            Scope::Source(s) => format!("by_source.{}", s.code()),
            Scope::Grade(g) => format!("by_grade.{}", g.code()),
        }
    }

    fn parse(raw: &str) -> Result<Scope, FieldError> {
        let unknown = || FieldError::new("scope", "unknown_value");
        match raw.trim().split_once('.') {
            Some(("by_source", s)) => Source::parse(s).map(Scope::Source).map_err(|_| unknown()),
            Some(("by_grade", g)) => Grade::parse(g).map(Scope::Grade).map_err(|_| unknown()),
            _ if raw.trim().is_empty() => Err(FieldError::new("scope", "required")),
            _ => Err(unknown()),
        }
    }

    /// "来源：抖音", "等级：A".
    fn label(self, t: T) -> String {
        match self {
            Scope::Source(s) => t.fmt(
                "protection_overrides.by_source",
                &[("source", t.t(&format!("source.{}", s.code())))],
            ),
            Scope::Grade(g) => t.fmt("protection_overrides.by_grade", &[("grade", g.code())]),
        }
    }

    /// The override for this scope in `rules`, if any.
    fn get(self, rules: &ProtectionRules) -> Option<ProtectionPolicy> {
        match self {
            Scope::Source(s) => rules.by_source.iter().find(|(k, _)| *k == s).map(|o| o.1),
            Scope::Grade(g) => rules.by_grade.iter().find(|(k, _)| *k == g).map(|o| o.1),
        }
    }

    /// Sets (`Some`) or removes (`None`) this scope's override, keeping the others' order.
    fn set(self, rules: &mut ProtectionRules, policy: Option<ProtectionPolicy>) {
        fn put<K: PartialEq>(
            list: &mut Vec<(K, ProtectionPolicy)>,
            key: K,
            policy: Option<ProtectionPolicy>,
        ) {
            match (list.iter_mut().find(|(k, _)| *k == key), policy) {
                (Some(slot), Some(p)) => slot.1 = p,
                (None, Some(p)) => list.push((key, p)),
                (_, None) => list.retain(|(k, _)| *k != key),
            }
        }
        match self {
            Scope::Source(s) => put(&mut rules.by_source, s, policy),
            Scope::Grade(g) => put(&mut rules.by_grade, g, policy),
        }
    }
}

/// One override as the page lists it.
pub struct OverrideRow {
    /// `by_source.web`: the scope field's value and its fields' prefix.
    pub scope: String,
    /// "来源：官网表单".
    pub label: String,
}

/// The overrides of `rules` in the order they are shown (sources, then grades), and every
/// scope the add form offers.
pub fn rows(t: T, rules: &ProtectionRules) -> (Vec<OverrideRow>, Vec<OverrideRow>) {
    let row = |s: Scope| OverrideRow {
        scope: s.path(),
        label: s.label(t),
    };
    let set = Scope::all().filter(|s| s.get(rules).is_some()).map(row);
    (set.collect(), Scope::all().map(row).collect())
}

/// Each override's figures as form values (`by_grade.A.initial_days` → "30"), and the add
/// form's, prefilled with the default period; posted values already in `values` win.
pub fn fill_values(rules: &ProtectionRules, values: &mut HashMap<String, String>) {
    let mut put = |prefix: &str, p: ProtectionPolicy| {
        for (f, v) in PROTECTION_NUMBERS
            .iter()
            .zip([p.initial_days, p.extend_days, p.cap_days])
        {
            values
                .entry(format!("{prefix}.{f}"))
                .or_insert_with(|| v.to_string());
        }
    };
    for scope in Scope::all() {
        if let Some(p) = scope.get(rules) {
            put(&scope.path(), p);
        }
    }
    put("new", rules.default);
}

/// The three figures under `prefix`, each bad one named.
fn policy(form: &HashMap<String, String>, prefix: &str) -> Result<ProtectionPolicy, FieldErrors> {
    let mut errs = FieldErrors::default();
    let mut number = |f: &str| {
        let field = format!("{prefix}.{f}");
        let raw = form.get(&field).map_or("", |s| s.trim());
        let code = if raw.is_empty() {
            "required"
        } else {
            "number_invalid"
        };
        raw.parse::<u32>().unwrap_or_else(|_| {
            errs.0.push(FieldError::new(field, code));
            0
        })
    };
    let p = ProtectionPolicy {
        initial_days: number("initial_days"),
        extend_days: number("extend_days"),
        cap_days: number("cap_days"),
    };
    errs.into_result().map(|()| p)
}

/// `rules` with the posted change applied, and the flash to show; or the errors by field.
fn apply(
    rules: &mut ProtectionRules,
    form: &HashMap<String, String>,
) -> Result<&'static str, FieldErrors> {
    let scope = Scope::parse(form.get("scope").map_or("", String::as_str))?;
    let adding = form.contains_key("adding");
    if form.get("action").is_some_and(|a| a == "remove") {
        scope.set(rules, None);
        return Ok("override_removed");
    }
    if adding && scope.get(rules).is_some() {
        return Err(FieldError::new("scope", "override_exists").into());
    }
    let prefix = if adding {
        "new".to_owned()
    } else {
        scope.path()
    };
    scope.set(rules, Some(policy(form, &prefix)?));
    // The domain names `by_source.web.cap_days`; the add form's field is `new.cap_days`.
    rules.validate().map_err(|e| {
        let from = format!("{}.", scope.path());
        FieldErrors(
            e.0.into_iter()
                .map(|mut f| {
                    if adding && let Some(rest) = f.field.strip_prefix(from.as_str()) {
                        f.field = format!("new.{rest}").into();
                    }
                    f
                })
                .collect(),
        )
    })?;
    Ok("override_saved")
}

async fn save(
    State(state): State<AppState>,
    CsrfForm(session, form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    admin_only(&session.actor)?;
    let mut rules: ProtectionRules = state.store.setting(PROTECTION).await?;
    let stored = rules.clone();
    match apply(&mut rules, &form) {
        Ok(flash) => {
            state
                .store
                .put_setting(&session.actor, PROTECTION, &rules, state.now())
                .await?;
            Ok(Redirect::to(&format!("/admin/rules?flash={flash}")).into_response())
        }
        Err(errs) => {
            let t = T(session.locale);
            let e: EffectivenessRules = state.store.setting(EFFECTIVENESS).await?;
            let mut values = super::rules::values_of(&e, &stored.default);
            values.extend(form);
            let errors = errs
                .0
                .iter()
                .map(|f| (f.field.to_string(), crate::error::field_message(t, f)))
                .collect();
            let strong = state
                .store
                .setting(kehu_store::identity::STRONG_KEYS)
                .await?;
            let page = render_with(&session, values, errors, None, (&stored, &strong));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn an_override_is_added_changed_and_removed_by_its_scope() {
        let mut rules = ProtectionRules::default();
        let added = form(&[
            ("scope", "by_grade.A"),
            ("adding", "1"),
            ("new.initial_days", "30"),
            ("new.extend_days", "7"),
            ("new.cap_days", "90"),
        ]);
        assert_eq!(apply(&mut rules, &added), Ok("override_saved"));
        assert_eq!(rules.by_grade[0].1.initial_days, 30);
        let changed = form(&[
            ("scope", "by_grade.A"),
            ("by_grade.A.initial_days", "20"),
            ("by_grade.A.extend_days", "7"),
            ("by_grade.A.cap_days", "90"),
        ]);
        assert_eq!(apply(&mut rules, &changed), Ok("override_saved"));
        assert_eq!(rules.by_grade.len(), 1);
        assert_eq!(rules.by_grade[0].1.initial_days, 20);
        let removed = form(&[("scope", "by_grade.A"), ("action", "remove")]);
        assert_eq!(apply(&mut rules, &removed), Ok("override_removed"));
        assert!(rules.by_grade.is_empty());
    }

    #[test]
    fn bad_input_is_named_by_the_field_it_was_typed_in() {
        let mut rules = ProtectionRules::default();
        let bad = form(&[
            ("scope", "by_source.douyin"),
            ("adding", "1"),
            ("new.initial_days", "30"),
            ("new.extend_days", "7"),
            ("new.cap_days", "10"),
        ]);
        let errs = apply(&mut rules, &bad).unwrap_err();
        assert_eq!(errs.0[0].field, "new.cap_days");
        let unknown = form(&[("scope", "by_source.fax")]);
        assert_eq!(apply(&mut rules, &unknown).unwrap_err().0[0].field, "scope");
    }
}
