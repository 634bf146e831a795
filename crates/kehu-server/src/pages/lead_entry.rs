//! `/leads/new`: a lead entered by hand (a phone call, a card from a trade show) through the
//! one intake path as the signed-in user, the source chosen from the active ones. Every
//! rendering of the form carries its own idempotency key, so a double click or a resent page
//! makes one lead; errors re-render the form with the input and the key kept. Then the lead
//! page shows where it went and why.

use crate::auth::token::random_token;
use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError, field_message};
use crate::i18n::T;
use crate::leads::import::split_tags;
use crate::leads::{self, Sender};
use crate::pages::Nav;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kehu_domain::error::FieldErrors;
use kehu_domain::lead::LeadInput;
use serde::Deserialize;
use std::collections::HashMap;

/// The form as posted (and as shown again after an error).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EntryForm {
    source: String,
    company: String,
    contact_name: String,
    phone: String,
    email: String,
    wechat: String,
    credit_code: String,
    province: String,
    city: String,
    industry: String,
    /// Comma-separated.
    tags: String,
    grade: String,
    message: String,
    /// This rendering's idempotency key.
    key: String,
}

/// The lead entry form.
#[derive(Template, WebTemplate)]
#[template(path = "leads/new.html")]
pub struct EntryPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    form: EntryForm,
    errors: HashMap<String, String>,
    /// An error of the form as a whole (it was sent before with other content).
    form_error: Option<String>,
    /// The active sources: id and name.
    sources: Vec<(String, String)>,
}

impl EntryPage {
    /// The error message of `field`, if any (for the template).
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

/// The entry form's route.
pub fn router() -> Router<AppState> {
    Router::new().route("/leads/new", get(page).post(submit))
}

/// A fresh key for one rendering of the form.
fn new_key() -> String {
    format!("form-{}", &random_token()[..32])
}

async fn render(
    state: &AppState,
    session: &Session,
    form: EntryForm,
    errors: HashMap<String, String>,
) -> Result<EntryPage, PageError> {
    let sources = state
        .store
        .lead_sources()
        .await?
        .into_iter()
        .filter(|s| s.active)
        .map(|s| (s.id.to_string(), s.name))
        .collect();
    Ok(EntryPage {
        t: T(session.locale),
        nav: Some(Nav::new(session, "leads")),
        flash: None,
        csrf: session.csrf.clone(),
        form,
        errors,
        form_error: None,
        sources,
    })
}

/// `GET /leads/new`: an empty form with a fresh key.
async fn page(State(state): State<AppState>, session: Session) -> Result<EntryPage, PageError> {
    let form = EntryForm {
        key: new_key(),
        ..EntryForm::default()
    };
    render(&state, &session, form, HashMap::new()).await
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

impl EntryForm {
    /// The intake payload. A source that is no number becomes id -1, which no source has, so
    /// intake answers "not a value on the list" at the source field.
    fn input(&self) -> LeadInput {
        let source = self.source.trim();
        LeadInput {
            source: source
                .parse()
                .ok()
                .or_else(|| (!source.is_empty()).then_some(-1)),
            company: some(&self.company),
            contact_name: some(&self.contact_name),
            phone: some(&self.phone),
            email: some(&self.email),
            wechat: some(&self.wechat),
            credit_code: some(&self.credit_code),
            province: some(&self.province),
            city: some(&self.city),
            message: some(&self.message),
            industry: some(&self.industry),
            tags: Some(split_tags(&self.tags)).filter(|t| !t.is_empty()),
            grade: some(&self.grade),
            extra: None,
        }
    }
}

/// `POST /leads/new`: intake as the user; the lead page on success.
async fn submit(
    State(state): State<AppState>,
    CsrfForm(session, form): CsrfForm<EntryForm>,
) -> Result<Response, PageError> {
    let sender = Sender::User(session.actor.clone());
    match leads::intake(&state, &sender, Some(&form.key), &form.input()).await {
        Ok(done) => {
            let flash = if done.replayed {
                "entered_again"
            } else {
                "entered"
            };
            let to = format!("/leads/{}?flash={flash}", done.receipt.id);
            Ok(Redirect::to(&to).into_response())
        }
        Err(AppError::Fields(errs)) => refused(&state, &session, form, &errs).await,
        Err(e) => Err(e.into()),
    }
}

/// The form again with each error at its field. A refused key (this rendering was already
/// sent with other content, or has none) gets a fresh one and a message above the form.
async fn refused(
    state: &AppState,
    session: &Session,
    mut form: EntryForm,
    errs: &FieldErrors,
) -> Result<Response, PageError> {
    let t = T(session.locale);
    let key_refused = errs.0.iter().any(|e| e.field == "Idempotency-Key");
    if key_refused {
        form.key = new_key();
    }
    let errors = errs
        .0
        .iter()
        .filter(|e| e.field != "Idempotency-Key")
        // `tags[1]` stands at the one tags field.
        .map(|e| {
            let field = e.field.split('[').next().unwrap_or_default();
            (field.to_owned(), field_message(t, e))
        })
        .collect();
    let mut page = render(state, session, form, errors).await?;
    if key_refused {
        page.form_error = Some(t.t("lead_entry.key_refused").to_owned());
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
