//! `/leads/health`: allocation health for managers and admins — share against target per
//! rep (drawn as bars), open and missed-window leads, backlog per region, the leads waiting
//! longest.

use crate::auth::Session;
use crate::error::PageError;
use crate::i18n::T;
use crate::leads::health::report;
use crate::pages::{Nav, local_time};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use kehu_domain::lead::health::ShareLine;
use kehu_store::leads::RegionBacklog;

/// Width of a full (100%) share bar, in pixels.
const BAR: f64 = 160.0;

/// The page's route.
pub fn router() -> Router<AppState> {
    Router::new().route("/leads/health", get(page))
}

/// One rep's row, with the bar widths computed here (the template only places them).
struct RepRow {
    name: String,
    received_7: u32,
    received_30: u32,
    share_30: String,
    target: String,
    deviation: String,
    /// More than 10 points away from the target.
    off_target: bool,
    share_px: u32,
    target_px: u32,
    open: u32,
    breached_30: u32,
    oldest_open: Option<String>,
}

impl RepRow {
    fn new(l: &ShareLine, offset: chrono::FixedOffset) -> RepRow {
        let pct = |v: f64| format!("{:.0}%", v * 100.0);
        let px = |v: f64| (v.clamp(0.0, 1.0) * BAR).round() as u32;
        RepRow {
            name: l.counts.name.clone(),
            received_7: l.counts.received_7,
            received_30: l.counts.received_30,
            share_30: pct(l.share_30),
            target: pct(l.target),
            deviation: format!("{:+.0}", l.deviation_30 * 100.0),
            off_target: l.deviation_30.abs() > 0.10,
            share_px: px(l.share_30),
            target_px: px(l.target),
            open: l.counts.open,
            breached_30: l.counts.breached_30,
            oldest_open: l.counts.oldest_open.map(|at| local_time(at, offset)),
        }
    }
}

/// A waiting lead's line.
struct WaitingRow {
    id: i64,
    who: String,
    status_key: String,
    assignee: Option<String>,
    received: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "leads/health.html")]
struct HealthPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    reps: Vec<RepRow>,
    regions: Vec<RegionBacklog>,
    waiting: Vec<WaitingRow>,
    bar: u32,
}

async fn page(State(state): State<AppState>, session: Session) -> Result<HealthPage, PageError> {
    let t = T(session.locale);
    let offset = state.config.utc_offset;
    let h = report(&state, &session.actor).await?;
    let waiting = h
        .waiting
        .into_iter()
        .map(|l| WaitingRow {
            id: l.id,
            who: l
                .company
                .clone()
                .or_else(|| l.contact_name.clone())
                .unwrap_or_else(|| format!("#{}", l.id)),
            status_key: format!("leads.status_{}", l.status),
            assignee: l.assignee_name.clone(),
            received: local_time(l.received_at, offset),
        })
        .collect();
    Ok(HealthPage {
        t,
        nav: Some(Nav::new(&session, "lead_health")),
        flash: None,
        reps: h.reps.iter().map(|l| RepRow::new(l, offset)).collect(),
        regions: h.regions,
        waiting,
        bar: BAR as u32,
    })
}
