//! `/admin/rules`: which follow-ups count (per kind) and the default protection period.
//! Below them, which identity keys are strong (`strong_keys.rs`).
//! Per-source and per-grade overrides are listed below, each its own form
//! (`protection_overrides.rs`). Errors show at their field with the input kept; every save is
//! in the audit log.

use super::protection_overrides::{OverrideRow, fill_values, rows};
use crate::auth::{CsrfForm, Session};
use crate::error::{PageError, field_message};
use crate::follow_ups::{EFFECTIVENESS, PROTECTION};
use crate::i18n::T;
use crate::pages::Nav;
use crate::pools::admin_only;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kehu_domain::FieldError;
use kehu_domain::customer::keys::{KeyKind, StrongKeys};
use kehu_domain::error::FieldErrors;
use kehu_domain::followup::{EffectivenessRules, FollowUpKind, KindRule};
use kehu_domain::ownership::protection::{ProtectionPolicy, ProtectionRules};
use kehu_store::identity::STRONG_KEYS;
use std::collections::HashMap;

/// The rules routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/admin/rules", get(page).post(save))
}

/// The numeric fields of a kind's rule, and of the protection period.
const KIND_NUMBERS: [&str; 2] = ["min_chars", "min_duration_secs"];
pub(super) const PROTECTION_NUMBERS: [&str; 3] = ["initial_days", "extend_days", "cap_days"];

#[derive(Template, WebTemplate)]
#[template(path = "admin/rules.html")]
pub(super) struct RulesPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    /// Field name → value as shown (posted values on an error).
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    kinds: Vec<(&'static str, String)>,
    kind_numbers: &'static [&'static str],
    protection_numbers: &'static [&'static str],
    /// The per-source and per-grade overrides set, and every scope one may be set for.
    overrides: Vec<OverrideRow>,
    scopes: Vec<OverrideRow>,
    /// Every key kind (code, label), checked by `strong.<code>` in `values`.
    key_kinds: Vec<(&'static str, String)>,
}

impl RulesPage {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    fn checked(&self, field: &str) -> bool {
        self.values.get(field).is_some_and(|v| v == "on")
    }
}

pub(super) fn values_of(e: &EffectivenessRules, p: &ProtectionPolicy) -> HashMap<String, String> {
    let mut v = HashMap::new();
    for kind in FollowUpKind::ALL {
        let r = e.rule(kind);
        let k = kind.code();
        v.insert(format!("{k}.min_chars"), r.min_chars.to_string());
        v.insert(
            format!("{k}.min_duration_secs"),
            r.min_duration_secs.to_string(),
        );
        if r.needs_contact {
            v.insert(format!("{k}.needs_contact"), "on".to_owned());
        }
    }
    v.insert("initial_days".into(), p.initial_days.to_string());
    v.insert("extend_days".into(), p.extend_days.to_string());
    v.insert("cap_days".into(), p.cap_days.to_string());
    v
}

/// The page with `values` (posted ones, or the stored rules') and `errors` by field name;
/// the overrides come from `protection`, the strong key kinds' boxes from `strong`.
pub(super) fn render_with(
    session: &Session,
    mut values: HashMap<String, String>,
    errors: HashMap<String, String>,
    flash: Option<String>,
    (protection, strong): (&ProtectionRules, &StrongKeys),
) -> RulesPage {
    let t = T(session.locale);
    fill_values(protection, &mut values);
    for kind in KeyKind::ALL {
        let field = format!("strong.{}", kind.code());
        match strong.contains(kind) {
            true => values.insert(field, "on".to_owned()),
            false => values.remove(&field),
        };
    }
    let (overrides, scopes) = rows(t, protection);
    RulesPage {
        t,
        nav: Some(Nav::new(session, "rules")),
        flash,
        csrf: session.csrf.clone(),
        values,
        errors,
        kinds: FollowUpKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code(),
                    t.t(&format!("follow_up.kind_{}", k.code())).to_owned(),
                )
            })
            .collect(),
        kind_numbers: &KIND_NUMBERS,
        protection_numbers: &PROTECTION_NUMBERS,
        overrides,
        scopes,
        key_kinds: KeyKind::ALL
            .iter()
            .map(|k| {
                let key = format!("strong_keys.kind_{}", k.code());
                (k.code(), t.t(&key).to_owned())
            })
            .collect(),
    }
}

#[derive(Debug, serde::Deserialize)]
struct Params {
    flash: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<Params>,
) -> Result<RulesPage, PageError> {
    admin_only(&session.actor)?;
    let e: EffectivenessRules = state.store.setting(EFFECTIVENESS).await?;
    let p: ProtectionRules = state.store.setting(PROTECTION).await?;
    let strong: StrongKeys = state.store.setting(STRONG_KEYS).await?;
    let flash = match q.flash.as_deref() {
        Some("rules_saved") => Some("rules.saved"),
        Some("strong_keys_saved") => Some("strong_keys.saved"),
        Some("override_saved") => Some("protection_overrides.saved"),
        Some("override_removed") => Some("protection_overrides.removed"),
        _ => None,
    };
    let flash = flash.map(|k| T(session.locale).t(k).to_owned());
    Ok(render_with(
        &session,
        values_of(&e, &p.default),
        HashMap::new(),
        flash,
        (&p, &strong),
    ))
}

/// Reads the posted numbers; each bad one is an error at its field.
fn parse(
    form: &HashMap<String, String>,
) -> Result<(EffectivenessRules, ProtectionPolicy), FieldErrors> {
    let mut errs = FieldErrors::default();
    let mut number = |field: &str| -> u32 {
        let raw = form.get(field).map_or("", |s| s.trim());
        raw.parse::<u32>().unwrap_or_else(|_| {
            errs.0
                .push(FieldError::new(field.to_owned(), "number_invalid"));
            0
        })
    };
    let mut rule = |k: &str| KindRule {
        min_chars: number(&format!("{k}.min_chars")),
        min_duration_secs: number(&format!("{k}.min_duration_secs")),
        needs_contact: false,
    };
    let mut rules = EffectivenessRules {
        call: rule("call"),
        visit: rule("visit"),
        wechat: rule("wechat"),
        email: rule("email"),
        meeting: rule("meeting"),
        note: rule("note"),
    };
    let policy = ProtectionPolicy {
        initial_days: number("initial_days"),
        extend_days: number("extend_days"),
        cap_days: number("cap_days"),
    };
    let contact = |k: &str| {
        form.get(&format!("{k}.needs_contact"))
            .is_some_and(|v| v == "on")
    };
    for (kind, r) in [
        ("call", &mut rules.call),
        ("visit", &mut rules.visit),
        ("wechat", &mut rules.wechat),
        ("email", &mut rules.email),
        ("meeting", &mut rules.meeting),
        ("note", &mut rules.note),
    ] {
        r.needs_contact = contact(kind);
    }
    errs.into_result()?;
    Ok((rules, policy))
}

async fn save(
    State(state): State<AppState>,
    CsrfForm(session, form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    admin_only(&session.actor)?;
    let t = T(session.locale);
    let mut protection: ProtectionRules = state.store.setting(PROTECTION).await?;
    let checked = parse(&form).and_then(|(rules, policy)| {
        protection.default = policy;
        rules.validate()?;
        // Errors name `default.<field>`; the form's field is `<field>`.
        protection.validate().map_err(|e| {
            FieldErrors(
                e.0.into_iter()
                    .map(|mut f| {
                        f.field = f.field.trim_start_matches("default.").to_owned().into();
                        f
                    })
                    .collect(),
            )
        })?;
        Ok(rules)
    });
    match checked {
        Ok(rules) => {
            let now = state.now();
            state
                .store
                .put_setting(&session.actor, EFFECTIVENESS, &rules, now)
                .await?;
            state
                .store
                .put_setting(&session.actor, PROTECTION, &protection, now)
                .await?;
            Ok(Redirect::to("/admin/rules?flash=rules_saved").into_response())
        }
        Err(errs) => {
            let errors = errs
                .0
                .iter()
                .map(|e| (e.field.to_string(), field_message(t, e)))
                .collect();
            let strong: StrongKeys = state.store.setting(STRONG_KEYS).await?;
            let page = render_with(&session, form, errors, None, (&protection, &strong));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_back_what_it_shows() {
        let e = EffectivenessRules::default();
        let p = ProtectionPolicy::default();
        let (rules, policy) = parse(&values_of(&e, &p)).expect("valid");
        assert_eq!((rules, policy), (e, p));
    }

    #[test]
    fn a_bad_number_is_named_by_its_field() {
        let mut v = values_of(&EffectivenessRules::default(), &ProtectionPolicy::default());
        v.insert("note.min_chars".into(), "十五".into());
        let errs = parse(&v).unwrap_err();
        assert_eq!(errs.0[0].field, "note.min_chars");
    }
}
