//! `/leads`: the leads a user may read (a rep their own, a manager their team's, an admin
//! all), and `/leads/{id}`: one lead with its match and why it went where it went.

use crate::auth::{CsrfForm, Session};
use crate::error::{AppError, PageError};
use crate::i18n::T;
use crate::leads::explanation_text;
use crate::leads::pool::{self, History};
use crate::leads::response::RespondInput;
use crate::pages::{Nav, PageId, local_time};
use crate::routing::routing_lines;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Redirect;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use kehu_domain::customer::Phone;
use kehu_domain::lead::Explanation;
use kehu_domain::lead::LeadId;
use kehu_domain::lead::response::time_left;
use kehu_domain::routing::RoutingExplanation;
use kehu_store::leads::{Lead, LeadEvent};
use serde::Deserialize;

/// The lead page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list))
        .route("/leads/{id}", get(show))
        .route("/leads/{id}/respond", post(respond))
        .route("/leads/pool", get(pool_page))
        .route("/leads/{id}/claim", post(claim))
}

/// A lead's response window as the pages show it: a countdown the page script keeps
/// current, with both texts from the locale (the lead pages and the rep's workbench).
pub(crate) struct WindowView {
    /// The breach, RFC 3339 (for the script).
    pub(crate) due: String,
    /// Time left or over now, in words.
    pub(crate) text: String,
    /// "{minutes} min left" / "{minutes} min over", for the script.
    pub(crate) left_tpl: String,
    pub(crate) over_tpl: String,
    pub(crate) breached: bool,
}

impl WindowView {
    /// The window closing at `due`, as of `now`.
    pub(crate) fn new(t: T, due: DateTime<Utc>, now: DateTime<Utc>) -> WindowView {
        let left = time_left(due, now);
        let breached = left < Duration::zero();
        // Whole minutes, rounded up while running (59 s left is "1 min left").
        let minutes = if breached {
            (-left).num_minutes()
        } else {
            (left.num_seconds() + 59) / 60
        };
        let key = if breached {
            "leads.window_over"
        } else {
            "leads.window_left"
        };
        WindowView {
            due: due.to_rfc3339_opts(SecondsFormat::Secs, true),
            text: t.fmt(key, &[("minutes", &minutes.to_string())]),
            left_tpl: t.t("leads.window_left").to_owned(),
            over_tpl: t.t("leads.window_over").to_owned(),
            breached,
        }
    }
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
    /// The running countdown: assigned, unanswered, with a window.
    window: Option<WindowView>,
    /// When it was answered, local time.
    responded: Option<String>,
    lead: Lead,
    phone: Option<String>,
    /// Its tags, read from their JSON.
    tags: Vec<String>,
}

impl LeadView {
    fn new(t: T, offset: FixedOffset, lead: Lead, now: DateTime<Utc>) -> LeadView {
        let explanation = serde_json::from_str::<Explanation>(&lead.explanation)
            .map(|e| explanation_text(t, &e))
            .unwrap_or_default();
        let routing = lead
            .routing
            .as_deref()
            .and_then(|r| serde_json::from_str::<RoutingExplanation>(r).ok())
            .map(|e| routing_lines(t, offset, &e, lead.pool_team_name.as_deref()))
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
            window: match (lead.status.as_str(), lead.responded_at, lead.window_due_at) {
                ("assigned", None, Some(due)) => Some(WindowView::new(t, due, now)),
                _ => None,
            },
            responded: lead.responded_at.map(|at| local_time(at, offset)),
            phone,
            tags: lead
                .tags
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default(),
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
    /// Shows the import link (managers and admins).
    can_import: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "leads/show.html")]
struct ShowPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    v: LeadView,
    /// The viewer is the assigned rep and has not answered yet.
    can_respond: bool,
    /// The assigned rep may make a customer of it (转为客户) while it points at none.
    can_convert: bool,
    /// The lead's history, in words, oldest first: (when, what).
    events: Vec<(String, String)>,
    /// What is known of the person, in words, while it waits in a pool the viewer claims from.
    summary: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "leads/pool.html")]
struct PoolPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    /// Each waiting lead with its history summary.
    leads: Vec<(LeadView, Vec<String>)>,
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
            .map(|l| LeadView::new(t, offset, l, state.now()))
            .collect(),
        can_import: crate::leads::import::may_import(&session.actor),
    })
}

#[derive(Debug, Deserialize)]
struct FlashQuery {
    flash: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageId(id): PageId,
    Query(q): Query<FlashQuery>,
) -> Result<ShowPage, PageError> {
    let t = T(session.locale);
    let offset = state.config.utc_offset;
    let lead = state
        .store
        .lead_for(&session.actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let events = state
        .store
        .lead_events(LeadId(id))
        .await?
        .iter()
        .map(|e| (local_time(e.at, offset), event_text(t, e)))
        .collect();
    let can_respond = lead.status == "assigned"
        && lead.responded_at.is_none()
        && lead.assigned_to == Some(session.actor.user_id.0);
    let can_convert = crate::leads::convert::convertible(&lead, &session.actor);
    let flash = q.flash.as_deref().and_then(|f| match f {
        "responded" | "claimed" => Some(t.t(&format!("leads.{f}_done")).to_owned()),
        "entered" | "entered_again" => Some(t.t(&format!("lead_entry.{f}")).to_owned()),
        _ => None,
    });
    // The history summary and the claim are for those who may claim it, not for everyone
    // who may read it (its managers, or whoever entered it).
    let claimable = lead.status == "pooled"
        && state
            .store
            .lead_claimable_by(&session.actor, LeadId(id))
            .await?;
    let summary = if claimable {
        summary_lines(
            t,
            offset,
            &pool::history(&state, &session.actor, &lead).await?,
        )
    } else {
        Vec::new()
    };
    Ok(ShowPage {
        t,
        nav: Some(Nav::new(&session, "leads")),
        flash,
        csrf: session.csrf.clone(),
        v: LeadView::new(t, offset, lead, state.now()),
        can_respond,
        can_convert,
        events,
        summary,
    })
}

/// The history summary in words: earlier inquiries, past owners, last touch.
fn summary_lines(t: T, offset: FixedOffset, h: &History) -> Vec<String> {
    let mut lines = Vec::new();
    for e in &h.earlier {
        let who = e.assignee_name.clone().unwrap_or_else(|| "—".to_owned());
        let at = local_time(e.received_at, offset);
        let id = e.id.to_string();
        let args = [
            ("id", id.as_str()),
            ("source", &e.source_name),
            ("at", &at),
            ("who", &who),
        ];
        lines.push(t.fmt("leads.summary_earlier", &args));
    }
    if !h.past_owners.is_empty() {
        let owners: Vec<String> = h
            .past_owners
            .iter()
            .map(|(n, at)| format!("{n} ({})", local_time(*at, offset)))
            .collect();
        lines.push(t.fmt("leads.summary_owners", &[("owners", &owners.join(", "))]));
    }
    if let Some((kind, at, by)) = &h.last_touch {
        let kind = t.t(&format!("follow_up.kind_{kind}")).to_owned();
        let at = local_time(*at, offset);
        lines.push(t.fmt(
            "leads.summary_touch",
            &[("kind", &kind), ("at", &at), ("by", by)],
        ));
    }
    if lines.is_empty() {
        lines.push(t.t("leads.summary_none").to_owned());
    }
    lines
}

async fn pool_page(State(state): State<AppState>, session: Session) -> Result<PoolPage, PageError> {
    let t = T(session.locale);
    let offset = state.config.utc_offset;
    let now = state.now();
    let waiting = state.store.pooled_leads_for(&session.actor, 200).await?;
    let mut leads = Vec::with_capacity(waiting.len());
    for lead in waiting {
        let history = pool::history(&state, &session.actor, &lead).await?;
        leads.push((
            LeadView::new(t, offset, lead, now),
            summary_lines(t, offset, &history),
        ));
    }
    Ok(PoolPage {
        t,
        nav: Some(Nav::new(&session, "lead_pool")),
        flash: None,
        csrf: session.csrf.clone(),
        leads,
    })
}

#[derive(Debug, Deserialize)]
struct ClaimForm {}

async fn claim(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(session, ClaimForm {}): CsrfForm<ClaimForm>,
) -> Result<Redirect, PageError> {
    pool::claim(&state, &session.actor, id).await?;
    Ok(Redirect::to(&format!("/leads/{id}?flash=claimed")))
}

/// One history line: "Reassigned from 王芳 to 李强: …".
fn event_text(t: T, e: &LeadEvent) -> String {
    let system = t.t("leads.system").to_owned();
    let name = |n: &Option<String>| n.clone().unwrap_or_else(|| system.clone());
    let mut text = t.fmt(
        &format!("leads.event_{}", e.kind),
        &[
            ("to", &name(&e.to_name)),
            ("from", &name(&e.from_name)),
            ("by", &name(&e.by_name)),
        ],
    );
    if let Some(note) = &e.note {
        text = format!("{text}: {note}");
    }
    text
}

#[derive(Debug, Deserialize)]
struct RespondForm {
    #[serde(default)]
    note: Option<String>,
}

async fn respond(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(session, form): CsrfForm<RespondForm>,
) -> Result<Redirect, PageError> {
    let input = RespondInput { note: form.note };
    crate::leads::response::respond(&state, &session.actor, id, &input).await?;
    Ok(Redirect::to(&format!("/leads/{id}?flash=responded")))
}
