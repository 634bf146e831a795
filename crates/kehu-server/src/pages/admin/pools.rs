//! `/admin/pools`: list, create and edit pools. Saving a new or changed pool first shows what
//! its rules would recycle tonight; only the confirmation saves.

use super::pool_form::{CLAIM_NUMBERS, PoolForm, RULE_FLAGS, RULE_NUMBERS};
use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError, field_message};
use crate::i18n::T;
use crate::pages::{Nav, PageId};
use crate::pools::{self as actions, PoolInput, admin_only};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kehu_domain::error::FieldErrors;
use kehu_store::pools::{NewPool, Pool, PoolUser, Preview};
use std::collections::HashMap;

/// The pool routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/pools", get(list).post(create))
        .route("/admin/pools/new", get(new))
        .route("/admin/pools/{id}", get(edit).post(save))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/pools.html")]
struct ListPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    pools: Vec<Pool>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/pool_form.html")]
struct FormPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    /// `None` for a new pool.
    id: Option<i64>,
    form: PoolForm,
    errors: HashMap<String, String>,
    teams: Vec<PoolUser>,
    reps: Vec<PoolUser>,
    pools: Vec<Pool>,
    preview: Option<Preview>,
    grades: Vec<&'static str>,
    rule_numbers: &'static [&'static str],
    rule_flags: &'static [&'static str],
    claim_numbers: &'static [&'static str],
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    fn label(&self, name: &str) -> String {
        self.t.t(&format!("pools.f_{name}")).to_owned()
    }

    fn name_of(prefix: &str, name: &str) -> String {
        format!("{prefix}.{name}")
    }

    fn error_id(field: &str) -> String {
        format!("error-{}", field.replace('.', "-"))
    }

    fn preview_line(&self, p: &Preview) -> String {
        self.t.fmt(
            "pools.preview_summary",
            &[
                ("customers", &p.customers.len().to_string()),
                ("reps", &p.reps.to_string()),
            ],
        )
    }
}

async fn list(State(state): State<AppState>, session: Session) -> Result<ListPage, PageError> {
    admin_only(&session.actor)?;
    Ok(ListPage {
        t: T(session.locale),
        nav: Some(Nav::new(&session, "pools")),
        flash: None,
        pools: state.store.pools().await?,
    })
}

async fn form_page(
    state: &AppState,
    session: &Session,
    id: Option<i64>,
    form: PoolForm,
    errors: HashMap<String, String>,
    preview: Option<Preview>,
) -> Result<FormPage, PageError> {
    let (teams, reps) = state.store.pool_choices().await?;
    Ok(FormPage {
        t: T(session.locale),
        nav: Some(Nav::new(session, "pools")),
        flash: None,
        csrf: session.csrf.clone(),
        id,
        form,
        errors,
        teams,
        reps,
        pools: state.store.pools().await?,
        preview,
        grades: vec!["A", "B", "C"],
        rule_numbers: RULE_NUMBERS,
        rule_flags: RULE_FLAGS,
        claim_numbers: CLAIM_NUMBERS,
    })
}

async fn new(State(state): State<AppState>, session: Session) -> Result<FormPage, PageError> {
    admin_only(&session.actor)?;
    form_page(
        &state,
        &session,
        None,
        PoolForm::fresh(),
        HashMap::new(),
        None,
    )
    .await
}

async fn edit(
    State(state): State<AppState>,
    session: Session,
    PageId(id): PageId,
) -> Result<FormPage, PageError> {
    admin_only(&session.actor)?;
    let pool = state.store.pool(id).await?.ok_or(AppError::NotFound)?;
    let form = PoolForm::of_pool(&pool);
    form_page(&state, &session, Some(id), form, HashMap::new(), None).await
}

/// The posted form checked like the API's input, every bad field named at once.
async fn parse_form(
    state: &AppState,
    form: &PoolForm,
    base: Option<NewPool>,
) -> Result<NewPool, AppError> {
    let (rules, mut errs) = match form.rules_json() {
        Ok(v) => (Some(v), FieldErrors::default()),
        Err(e) => (None, e),
    };
    let input = PoolInput {
        name: Some(form.val("name").to_owned()),
        rules,
        members: Some(form.members.clone()),
        whitelist: Some(form.whitelist.clone()),
    };
    match actions::parse(state, input, base).await {
        Ok(new) if errs.0.is_empty() => Ok(new),
        Ok(_) => Err(AppError::Fields(errs)),
        Err(AppError::Fields(more)) => {
            errs.0.extend(more.0);
            Err(AppError::Fields(errs))
        }
        Err(e) => Err(e),
    }
}

fn field_errors(t: T, e: AppError) -> Result<HashMap<String, String>, PageError> {
    match e {
        AppError::Fields(errs) => Ok(errs
            .0
            .iter()
            .map(|f| {
                let field = f.field.strip_prefix("rules.").unwrap_or(&f.field);
                (field.to_owned(), field_message(t, f))
            })
            .collect()),
        AppError::Conflict { what } => Ok(HashMap::from([(
            what.to_owned(),
            t.t("error.conflict").to_owned(),
        )])),
        other => Err(other.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    CsrfForm(session, pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    submit(&state, &session, None, pairs).await
}

async fn save(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(session, pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    submit(&state, &session, Some(id), pairs).await
}

/// A new pool (`id` `None`) or a change to pool `id`: without `confirm`, shows tonight's
/// effect; with it, saves.
async fn submit(
    state: &AppState,
    session: &Session,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<Response, PageError> {
    admin_only(&session.actor)?;
    let form = PoolForm::from_pairs(pairs);
    let parsed = async {
        let base = match id {
            Some(id) => Some(actions::current(state, id).await?),
            None => None,
        };
        parse_form(state, &form, base).await
    }
    .await;
    let new = match parsed {
        Ok(new) => new,
        Err(e) => return refused(state, session, id, form, e).await,
    };
    if !form.checked("confirm") {
        return match actions::preview(state, id, &new).await {
            Ok(preview) => {
                let page = form_page(state, session, id, form, HashMap::new(), Some(preview));
                Ok(page.await?.into_response())
            }
            // A new pool's preview already meets a taken name.
            Err(e) => refused(state, session, id, form, e).await,
        };
    }
    let actor = &session.actor;
    let saved = match id {
        Some(id) => state
            .store
            .update_pool(actor, id, &new, state.now())
            .await
            .map(|()| "/admin/pools".to_owned()),
        None => state
            .store
            .create_pool(actor, &new, state.now())
            .await
            .map(|id| format!("/admin/pools/{id}")),
    };
    match saved {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) => refused(state, session, id, form, e.into()).await,
    }
}

/// The form again with the errors at their fields (422); other errors become their page.
async fn refused(
    state: &AppState,
    session: &Session,
    id: Option<i64>,
    form: PoolForm,
    e: AppError,
) -> Result<Response, PageError> {
    let errors = field_errors(T(session.locale), e)?;
    let page = form_page(state, session, id, form, errors, None).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
