//! Deals (商机) on the customer page: the section (deals with stage and amount, their stage
//! history, a small form to add one and one to move each open deal), and the two form pages
//! a refused form re-renders on, with the input kept and each error by its field.

use crate::auth::{CsrfForm, Session};
use crate::deals as actions;
use crate::error::{AppError, PageError, field_message};
use crate::i18n::T;
use crate::pages::{Nav, PageId, local_time};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kehu_domain::Actor;
use kehu_domain::access::can_change;
use kehu_domain::deal::{DealId, DealInput, Stage, StageInput, Step, step};
use kehu_domain::error::FieldErrors;
use kehu_domain::ids::CustomerId;
use kehu_store::customers::CustomerView;
use serde::Deserialize;
use std::collections::HashMap;

/// A stage's name in the reader's language.
fn stage_label(t: T, code: &str) -> String {
    t.t(&format!("deal.stage_{code}")).to_owned()
}

/// (code, label) of `stages`, for a select.
fn options(t: T, stages: &[Stage]) -> Vec<(&'static str, String)> {
    stages
        .iter()
        .map(|s| (s.code(), stage_label(t, s.code())))
        .collect()
}

/// One deal on the customer page.
pub struct DealRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) stage: String,
    pub(super) stage_code: &'static str,
    /// `12,345.60`, or empty.
    pub(super) amount: String,
    /// "expected to close …", or empty.
    pub(super) expected: String,
    /// "Reason: …", for a lost deal.
    pub(super) lost_reason: Option<String>,
    pub(super) open: bool,
}

/// One line of the deals' stage history.
pub struct HistoryLine {
    pub(super) at: String,
    pub(super) text: String,
    /// "skipped stages" / "moved back", when so.
    pub(super) step: Option<String>,
    pub(super) reason: Option<String>,
}

/// The customer page's deal section.
#[derive(Default)]
pub struct Section {
    /// Open deals first, then closed ones, newest first.
    pub rows: Vec<DealRow>,
    /// Newest first.
    pub history: Vec<HistoryLine>,
    /// The actor may add and move deals.
    pub can_edit: bool,
    /// The stages a new deal can start in.
    pub open_stages: Vec<(&'static str, String)>,
    /// Every stage, for the move form.
    pub stages: Vec<(&'static str, String)>,
}

/// Builds the section for a reader of the customer.
pub async fn section(
    state: &AppState,
    t: T,
    actor: &Actor,
    view: &CustomerView,
) -> Result<Section, AppError> {
    let id = view.customer.id;
    let offset = state.config.utc_offset;
    let mut rows = Vec::new();
    for d in state.store.deals(id).await? {
        let stage = d.stage()?;
        rows.push(DealRow {
            id: d.id,
            stage: stage_label(t, stage.code()),
            stage_code: stage.code(),
            amount: d.amount().map(|a| a.grouped()).unwrap_or_default(),
            expected: d
                .expected_close_date
                .map(|date| t.fmt("deal.expected", &[("date", &date.to_string())]))
                .unwrap_or_default(),
            lost_reason: d
                .lost_reason
                .map(|r| t.fmt("deal.lost_because", &[("reason", &r)])),
            open: stage.is_open(),
            name: d.title,
        });
    }
    let history = state
        .store
        .deal_events(id)
        .await?
        .into_iter()
        .map(|e| history_line(t, offset, e))
        .collect();
    Ok(Section {
        rows,
        history,
        can_edit: can_change(actor, view.facts()),
        open_stages: options(t, &Stage::OPEN),
        stages: options(t, &Stage::ALL),
    })
}

fn history_line(t: T, offset: chrono::FixedOffset, e: kehu_store::deals::DealEvent) -> HistoryLine {
    let to = stage_label(t, &e.to_stage);
    let text = match &e.from_stage {
        None => t.fmt(
            "deal.created_entry",
            &[("by", &e.by_name), ("name", &e.title), ("to", &to)],
        ),
        Some(from) => t.fmt(
            "deal.moved_entry",
            &[
                ("by", &e.by_name),
                ("name", &e.title),
                ("from", &stage_label(t, from)),
                ("to", &to),
            ],
        ),
    };
    let parsed = |c: &str| Stage::parse("stage", c).ok();
    let step = match (
        e.from_stage.as_deref().and_then(parsed),
        parsed(&e.to_stage),
    ) {
        (Some(from), Some(to)) => match step(from, to) {
            Step::Skip => Some(t.t("deal.step_skip").to_owned()),
            Step::Back => Some(t.t("deal.step_back").to_owned()),
            Step::Next | Step::Close => None,
        },
        _ => None,
    };
    HistoryLine {
        at: local_time(e.at, offset),
        text,
        step,
        reason: e
            .reason
            .map(|r| t.fmt("deal.lost_because", &[("reason", &r)])),
    }
}

/// Flash messages of this section (`?flash=deal_created` …).
pub fn flash(t: T, key: Option<&str>) -> Option<String> {
    const KEYS: &[&str] = &["deal_created", "deal_moved"];
    key.filter(|k| KEYS.contains(k))
        .map(|k| t.t(&format!("deal.flash_{k}")).to_owned())
}

/// Field errors as the forms show them: field → message.
fn messages(t: T, errs: &FieldErrors) -> HashMap<String, String> {
    errs.0
        .iter()
        .map(|e| (e.field.to_string(), field_message(t, e)))
        .collect()
}

/// The new-deal form as posted (and as re-shown after an error).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DealForm {
    title: String,
    amount: String,
    stage: String,
    expected_close_date: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/deal_new.html")]
/// The new-deal form page.
pub struct NewDealPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    customer_id: i64,
    customer_name: String,
    csrf: String,
    form: DealForm,
    errors: HashMap<String, String>,
    open_stages: Vec<(&'static str, String)>,
}

impl NewDealPage {
    /// The error message of `field`, if any (for the template).
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

async fn new_page_for(
    state: &AppState,
    session: &Session,
    id: CustomerId,
    form: DealForm,
    errors: HashMap<String, String>,
) -> Result<NewDealPage, AppError> {
    let t = T(session.locale);
    let view = actions::readable(state, &session.actor, id).await?;
    if !can_change(&session.actor, view.facts()) {
        return Err(AppError::Forbidden);
    }
    Ok(NewDealPage {
        t,
        nav: Some(Nav::new(session, "mine")),
        flash: None,
        customer_id: id.0,
        customer_name: view.customer.name,
        csrf: session.csrf.clone(),
        form,
        errors,
        open_stages: options(t, &Stage::OPEN),
    })
}

/// `GET /customers/{id}/deals/new`.
pub async fn new_page(
    State(state): State<AppState>,
    PageId(id): PageId,
    session: Session,
) -> Result<NewDealPage, PageError> {
    let form = DealForm::default();
    Ok(new_page_for(&state, &session, CustomerId(id), form, HashMap::new()).await?)
}

/// `POST /customers/{id}/deals`: back to the customer page, or the form with its errors.
pub async fn create(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(session, form): CsrfForm<DealForm>,
) -> Result<Response, PageError> {
    let input = DealInput {
        title: Some(form.title.clone()),
        amount: Some(form.amount.clone()),
        stage: Some(form.stage.clone()),
        expected_close_date: Some(form.expected_close_date.clone()),
    };
    match actions::add(&state, &session.actor, CustomerId(id), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/customers/{id}?flash=deal_created")).into_response()),
        Err(AppError::Fields(errs)) => {
            let errors = messages(T(session.locale), &errs);
            let page = new_page_for(&state, &session, CustomerId(id), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The stage form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StageForm {
    stage: String,
    lost_reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/deal_stage.html")]
/// The page to move one deal, where a refused move is shown.
pub struct StagePage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    customer_id: i64,
    customer_name: String,
    csrf: String,
    deal_id: i64,
    deal_name: String,
    current: String,
    form: StageForm,
    errors: HashMap<String, String>,
    stages: Vec<(&'static str, String)>,
}

impl StagePage {
    /// The error message of `field`, if any (for the template).
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

/// The customer and deal ids of a path; anything but numbers is a page that does not exist.
fn ids(raw: &(String, String)) -> Result<(CustomerId, DealId), AppError> {
    match (raw.0.parse(), raw.1.parse()) {
        (Ok(c), Ok(d)) => Ok((CustomerId(c), DealId(d))),
        _ => Err(AppError::NotFound),
    }
}

async fn stage_page_for(
    state: &AppState,
    session: &Session,
    (id, deal): (CustomerId, DealId),
    form: StageForm,
    errors: HashMap<String, String>,
) -> Result<StagePage, AppError> {
    let t = T(session.locale);
    let view = actions::readable(state, &session.actor, id).await?;
    if !can_change(&session.actor, view.facts()) {
        return Err(AppError::Forbidden);
    }
    let d = state
        .store
        .deal(id, deal)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(StagePage {
        t,
        nav: Some(Nav::new(session, "mine")),
        flash: None,
        customer_id: id.0,
        customer_name: view.customer.name,
        csrf: session.csrf.clone(),
        deal_id: d.id,
        current: t.fmt("deal.current", &[("stage", &stage_label(t, &d.stage))]),
        deal_name: d.title,
        form,
        errors,
        stages: options(t, &Stage::ALL),
    })
}

/// `GET /customers/{id}/deals/{deal}/stage`.
pub async fn stage_page(
    State(state): State<AppState>,
    Path(raw): Path<(String, String)>,
    session: Session,
) -> Result<StagePage, PageError> {
    let ids = ids(&raw)?;
    Ok(stage_page_for(&state, &session, ids, StageForm::default(), HashMap::new()).await?)
}

/// `POST /customers/{id}/deals/{deal}/stage`.
pub async fn move_stage(
    State(state): State<AppState>,
    Path(raw): Path<(String, String)>,
    CsrfForm(session, form): CsrfForm<StageForm>,
) -> Result<Response, PageError> {
    let (id, deal) = ids(&raw)?;
    let input = StageInput {
        stage: Some(form.stage.clone()),
        lost_reason: Some(form.lost_reason.clone()),
    };
    match actions::move_to(&state, &session.actor, id, deal, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/customers/{id}?flash=deal_moved")).into_response()),
        Err(AppError::Fields(errs)) => {
            let errors = messages(T(session.locale), &errs);
            let page = stage_page_for(&state, &session, (id, deal), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
