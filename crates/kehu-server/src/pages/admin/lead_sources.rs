//! `/admin/lead-sources`: lead sources (线索来源) and their intake tokens. Creating a token
//! shows its secret on the answer page, once; only its hash is kept.

use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError, field_label, field_message};
use crate::i18n::T;
use crate::leads::sources::{self as actions, SourceInput, TokenInput};
use crate::pages::{Nav, local_time};
use crate::pools::admin_only;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kehu_store::leads::LeadSource;
use serde::Deserialize;

/// The lead source routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/lead-sources", get(list).post(create))
        .route("/admin/lead-sources/{id}/tokens", post(create_token))
        .route(
            "/admin/lead-sources/{id}/tokens/{token_id}/revoke",
            post(revoke),
        )
}

/// A token just created: where it belongs and its secret, shown this once.
struct NewSecret {
    source: String,
    name: String,
    secret: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/lead_sources.html")]
struct ListPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    sources: Vec<LeadSource>,
    /// Token creation times, by token id, in the team's time.
    times: Vec<(i64, String)>,
    secret: Option<NewSecret>,
    /// The create form as typed, and its errors.
    code: String,
    name: String,
    errors: Vec<String>,
}

impl ListPage {
    fn created(&self, token: &i64) -> &str {
        self.times
            .iter()
            .find(|(id, _)| id == token)
            .map_or("", |(_, s)| s.as_str())
    }
}

async fn page(state: &AppState, session: &Session) -> Result<ListPage, PageError> {
    admin_only(&session.actor)?;
    let sources = state.store.lead_sources().await?;
    let offset = state.config.utc_offset;
    let times = sources
        .iter()
        .flat_map(|s| &s.tokens)
        .map(|k| (k.id, local_time(k.created_at, offset)))
        .collect();
    Ok(ListPage {
        t: T(session.locale),
        nav: Some(Nav::new(session, "lead_sources")),
        flash: None,
        csrf: session.csrf.clone(),
        sources,
        times,
        secret: None,
        code: String::new(),
        name: String::new(),
        errors: Vec::new(),
    })
}

async fn list(State(state): State<AppState>, session: Session) -> Result<ListPage, PageError> {
    page(&state, &session).await
}

#[derive(Debug, Default, Deserialize)]
struct SourceForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

/// Field errors in words ("Code: lowercase letters, …"); other errors pass through.
fn messages(t: T, err: AppError) -> Result<Vec<String>, PageError> {
    let AppError::Fields(errs) = err else {
        return Err(err.into());
    };
    Ok(errs
        .0
        .iter()
        .map(|e| format!("{} {}", field_label(t, &e.field), field_message(t, e)))
        .collect())
}

async fn create(
    State(state): State<AppState>,
    CsrfForm(session, form): CsrfForm<SourceForm>,
) -> Result<Response, PageError> {
    let input = SourceInput {
        code: Some(form.code.clone()),
        name: Some(form.name.clone()),
    };
    match actions::create_source(&state, &session.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/admin/lead-sources").into_response()),
        Err(e) => {
            let mut p = page(&state, &session).await?;
            p.errors = messages(p.t, e)?;
            p.code = form.code;
            p.name = form.name;
            Ok(p.into_response())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    rate_per_minute: String,
}

async fn create_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(session, form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let source: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let rate = form.rate_per_minute.trim();
    let input = TokenInput {
        name: Some(form.name),
        // A non-number is refused like an out-of-range one.
        rate_per_minute: (!rate.is_empty()).then(|| rate.parse().unwrap_or(0)),
    };
    let created = actions::create_token(&state, &session.actor, source, &input).await;
    let mut p = page(&state, &session).await?;
    match created {
        Ok((token, secret)) => {
            let source = p.sources.iter().find(|s| s.id == source);
            p.secret = Some(NewSecret {
                source: source.map(|s| s.name.clone()).unwrap_or_default(),
                name: token.name,
                secret,
            });
        }
        Err(e) => p.errors = messages(p.t, e)?,
    }
    Ok(p.into_response())
}

async fn revoke(
    State(state): State<AppState>,
    Path((source, token)): Path<(String, String)>,
    CsrfForm(session, _): CsrfForm<Vec<(String, String)>>,
) -> Result<Redirect, PageError> {
    let parse = |s: &str| s.parse::<i64>().map_err(|_| AppError::NotFound);
    actions::revoke_token(&state, &session.actor, parse(&source)?, parse(&token)?).await?;
    Ok(Redirect::to("/admin/lead-sources"))
}
