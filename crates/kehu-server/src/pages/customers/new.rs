//! The minimal new-customer form: name, phone, source, intent, next follow-up; the rest
//! and one contact optional. Errors re-render the form with the input kept.

use super::check::{Hit, Params, hits};
use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError, duplicate_message, field_message};
use crate::i18n::T;
use crate::identity::SaveError;
use crate::pages::Nav;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kehu_domain::customer::{ContactInput, CustomerInput, IntentLevel, NewCustomer, Source};
use kehu_domain::error::FieldErrors;
use serde::Deserialize;
use std::collections::HashMap;

/// The form as posted (and as re-shown after an error).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    pub(super) name: String,
    pub(super) phone: String,
    pub(super) source: String,
    pub(super) intent: String,
    pub(super) grade: String,
    pub(super) credit_code: String,
    pub(super) industry: String,
    pub(super) province: String,
    pub(super) city: String,
    pub(super) next_follow_up_at: String,
    pub(super) contact_name: String,
    pub(super) contact_phone: String,
    pub(super) contact_title: String,
    /// The keys of the fuzzy hits the rep confirmed as different customers (the checkbox
    /// shown after a refused save carries them, space-separated).
    pub(super) confirm_distinct: String,
    /// The lead the customer is made from (转为客户), if any: a hidden field.
    pub(super) from_lead: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/new.html")]
/// The new-customer form.
pub struct NewPage {
    t: T,
    nav: Option<Nav>,
    /// A message above the form (e.g. "request sent").
    pub flash: Option<String>,
    csrf: String,
    form: NewForm,
    errors: HashMap<String, String>,
    /// The existing customer a duplicate phone belongs to, when the rep may open it.
    existing: Option<i64>,
    /// Similar customers that held the save, shown with the confirmation checkbox.
    hits: Vec<Hit>,
    /// Their keys, the checkbox's value.
    confirm_keys: String,
    sources: Vec<(&'static str, String)>,
    intents: Vec<(&'static str, String)>,
}

impl NewPage {
    /// The error message of `field`, if any (for the template).
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

/// The form with `form`'s values, `errors` at their fields.
pub fn render(session: &Session, form: NewForm, errors: HashMap<String, String>) -> NewPage {
    let t = T(session.locale);
    NewPage {
        t,
        nav: Some(Nav::new(session, "new")),
        flash: None,
        csrf: session.csrf.clone(),
        form,
        errors,
        existing: None,
        hits: Vec::new(),
        confirm_keys: String::new(),
        sources: Source::ALL
            .iter()
            .map(|s| (s.code(), t.t(&format!("source.{}", s.code())).to_owned()))
            .collect(),
        intents: IntentLevel::ALL
            .iter()
            .map(|i| (i.code(), t.t(&format!("intent.{}", i.code())).to_owned()))
            .collect(),
    }
}

/// `?from_lead=ID`: the form filled from that lead.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    from_lead: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<NewQuery>,
) -> Result<NewPage, PageError> {
    let form = match q.from_lead {
        Some(id) => super::from_lead::form_of(&state, &session.actor, id).await?,
        None => NewForm::blank(),
    };
    Ok(render(&session, form, HashMap::new()))
}

impl NewForm {
    /// An empty form, intent medium.
    pub(super) fn blank() -> NewForm {
        NewForm {
            intent: "medium".to_owned(),
            ..Default::default()
        }
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

impl NewForm {
    /// What the live check would be asked for this input.
    pub(super) fn check_params(&self) -> Params {
        Params {
            name: self.name.clone(),
            phone: self.phone.clone(),
            credit_code: self.credit_code.clone(),
            province: self.province.clone(),
            city: self.city.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
        }
    }

    fn input(&self) -> CustomerInput {
        CustomerInput {
            name: some(&self.name),
            phone: some(&self.phone),
            source: some(&self.source),
            intent: some(&self.intent),
            grade: some(&self.grade),
            credit_code: some(&self.credit_code),
            industry: some(&self.industry),
            province: some(&self.province),
            city: some(&self.city),
            next_follow_up_at: some(&self.next_follow_up_at),
            contacts: vec![ContactInput {
                name: some(&self.contact_name),
                phone: some(&self.contact_phone),
                title: some(&self.contact_title),
            }],
        }
    }
}

/// Maps domain field names to this form's input names.
fn form_field(field: &str) -> String {
    match field {
        "contacts[0].name" | "contact_name" => "contact_name".to_owned(),
        "contacts[0].phone" => "contact_phone".to_owned(),
        "contact_title" => "contact_title".to_owned(),
        other => other.to_owned(),
    }
}

fn messages(t: T, errs: &FieldErrors) -> HashMap<String, String> {
    errs.0
        .iter()
        .map(|e| (form_field(&e.field), field_message(t, e)))
        .collect()
}

pub async fn submit(
    State(state): State<AppState>,
    CsrfForm(session, form): CsrfForm<NewForm>,
) -> Result<Response, PageError> {
    let t = T(session.locale);
    let new = match NewCustomer::parse(&form.input(), state.config.utc_offset) {
        Ok(n) => n,
        Err(errs) => {
            let errors = messages(t, &errs);
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&session, form, errors),
            )
                .into_response());
        }
    };
    // A forged or stale lead id is refused before anything is saved, as the API does.
    let lead = super::from_lead::checked(&state, &session.actor, &form.from_lead).await?;
    let confirmed: Vec<String> = form
        .confirm_distinct
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    match crate::identity::create(&state, &session.actor, &new, &confirmed).await {
        Ok(id) => {
            if let Some(lead) = lead {
                crate::leads::convert::link(&state, &session.actor, lead, id).await?;
            }
            Ok(Redirect::to(&format!("/customers/{}?flash=created", id.0)).into_response())
        }
        Err(SaveError::App(AppError::Duplicate(hit))) => {
            // Shown at the phone field, with a link when the rep may open the existing one.
            let errors = HashMap::from([(hit.field.to_owned(), duplicate_message(t, &hit))]);
            let mut page = render(&session, form, errors);
            page.existing = hit.id;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(SaveError::PossibleDuplicates(found)) => {
            // Shown above Save with a checkbox to confirm they are other customers.
            let keys: Vec<&str> = found.iter().map(|h| h.key.as_str()).collect();
            let confirm_keys = keys.join(" ");
            let form = NewForm {
                confirm_distinct: String::new(),
                ..form
            };
            let mut page = render(&session, form, HashMap::new());
            page.confirm_keys = confirm_keys;
            page.hits = hits(t, state.config.utc_offset, found);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(SaveError::App(e)) => Err(e.into()),
    }
}
