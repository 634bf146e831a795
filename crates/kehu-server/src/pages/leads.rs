//! `/leads`: the leads a user may read (a rep their own, a manager their team's, an admin
//! all), and `/leads/{id}`: one lead with its match and why it went where it went.

use crate::auth::Session;
use crate::error::{AppError, PageError};
use crate::i18n::T;
use crate::leads::explanation_text;
use crate::pages::{Nav, PageId, local_time};
use crate::routing::routing_lines;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::FixedOffset;
use kehu_domain::customer::Phone;
use kehu_domain::lead::Explanation;
use kehu_domain::routing::RoutingExplanation;
use kehu_store::leads::Lead;

/// The lead page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list))
        .route("/leads/{id}", get(show))
}

/// One lead as the pages show it.
struct LeadView {
    id: i64,
    received: String,
    source: String,
    /// Company, else contact, else phone.
    who: String,
    status_key: String,
    assignee: Option<String>,
    explanation: String,
    /// The routing decision in words, once routed (verdict first).
    routing: Vec<String>,
    lead: Lead,
    phone: Option<String>,
}

impl LeadView {
    fn new(t: T, offset: FixedOffset, lead: Lead) -> LeadView {
        let explanation = serde_json::from_str::<Explanation>(&lead.explanation)
            .map(|e| explanation_text(t, &e))
            .unwrap_or_default();
        let routing = lead
            .routing
            .as_deref()
            .and_then(|r| serde_json::from_str::<RoutingExplanation>(r).ok())
            .map(|e| routing_lines(t, offset, &e))
            .unwrap_or_default();
        let phone = lead
            .phone
            .clone()
            .map(|p| Phone::from_stored(p, lead.phone_ext.clone()).national());
        let who = lead
            .company
            .clone()
            .or_else(|| lead.contact_name.clone())
            .or_else(|| phone.clone())
            .unwrap_or_default();
        LeadView {
            id: lead.id,
            received: local_time(lead.received_at, offset),
            source: lead.source_name.clone(),
            who,
            status_key: format!("leads.status_{}", lead.status),
            assignee: lead.assignee_name.clone(),
            explanation,
            routing,
            phone,
            lead,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "leads/list.html")]
struct ListPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    leads: Vec<LeadView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "leads/show.html")]
struct ShowPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    v: LeadView,
}

async fn list(State(state): State<AppState>, session: Session) -> Result<ListPage, PageError> {
    let t = T(session.locale);
    let offset = state.config.utc_offset;
    let leads = state.store.leads_for(&session.actor, None, 200).await?;
    Ok(ListPage {
        t,
        nav: Some(Nav::new(&session, "leads")),
        flash: None,
        leads: leads
            .into_iter()
            .map(|l| LeadView::new(t, offset, l))
            .collect(),
    })
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageId(id): PageId,
) -> Result<ShowPage, PageError> {
    let t = T(session.locale);
    let lead = state
        .store
        .lead_for(&session.actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ShowPage {
        t,
        nav: Some(Nav::new(&session, "leads")),
        flash: None,
        v: LeadView::new(t, state.config.utc_offset, lead),
    })
}
