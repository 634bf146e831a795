//! `/admin/pools`: list, create and edit pools. Saving a changed pool first shows what its
//! rules would recycle tonight; only the confirmation saves.

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
    admin_only(&session.actor)?;
    let t = T(session.locale);
    let form = PoolForm::from_pairs(pairs);
    let saved = async {
        let new = parse_form(&state, &form, None).await?;
        Ok::<_, AppError>(
            state
                .store
                .create_pool(&session.actor, &new, state.now())
                .await?,
        )
    }
    .await;
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/admin/pools/{id}")).into_response()),
        Err(e) => {
            let errors = field_errors(t, e)?;
            let page = form_page(&state, &session, None, form, errors, None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Without `confirm`, shows tonight's effect of the change; with it, saves.
async fn save(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(session, pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    admin_only(&session.actor)?;
    let t = T(session.locale);
    let form = PoolForm::from_pairs(pairs);
    let confirmed = form.checked("confirm");
    let parsed = async {
        let base = actions::current(&state, id).await?;
        parse_form(&state, &form, Some(base)).await
    }
    .await;
    let new = match parsed {
        Ok(new) => new,
        Err(e) => {
            let errors = field_errors(t, e)?;
            let page = form_page(&state, &session, Some(id), form, errors, None).await?;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if !confirmed {
        let preview = actions::preview(&state, id, &new).await?;
        let page = form_page(
            &state,
            &session,
            Some(id),
            form,
            HashMap::new(),
            Some(preview),
        );
        return Ok(page.await?.into_response());
    }
    match state
        .store
        .update_pool(&session.actor, id, &new, state.now())
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/pools").into_response()),
        Err(e) => {
            let errors = field_errors(t, e.into())?;
            let page = form_page(&state, &session, Some(id), form, errors, None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
