//! `/customers?scope=mine|team|pool|shared&q=…`: one page of customers; on "mine" (the
//! workbench) the rep's open leads with their countdowns first.

use super::workbench::{Workbench, open_leads};
use crate::api::customers_scope;
use crate::auth::Session;
use crate::error::PageError;
use crate::i18n::T;
use crate::pages::{Nav, flash, local_time};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use kehu_domain::access::Visibility;
use kehu_store::customers::{CustomerView, ListQuery, Scope};
use serde::Deserialize;

const PAGE: i64 = 50;

/// One row of a customer list, formatted for display.
pub struct Row {
    id: i64,
    name: String,
    phone: String,
    owner: String,
    city: String,
    intent: &'static str,
    intent_code: &'static str,
    next_follow_up: String,
    owner_since: String,
    /// "即将回收 11-30": the owner was warned of a recycle still ahead.
    recycle_due: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/list.html")]
/// A customer list page.
pub struct ListPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    scope: &'static str,
    heading: &'static str,
    q: String,
    rows: Vec<Row>,
    next: Option<String>,
    /// The pools open to the actor, when they see several (the pool selector).
    pools: Vec<kehu_store::pools::PoolSummary>,
    /// The pool chosen.
    pool: Option<i64>,
    /// My open leads (the workbench: the first page of "mine").
    open_leads: Option<Workbench>,
}

#[derive(Debug, Deserialize)]
pub struct Params {
    scope: Option<String>,
    q: Option<String>,
    before: Option<i64>,
    flash: Option<String>,
    /// One pool of the pool scope (empty: all open to the actor).
    pool: Option<String>,
}

fn row(t: T, v: &CustomerView, state: &AppState) -> Row {
    let c = &v.customer;
    let masked = v.visibility != Visibility::Full;
    Row {
        id: c.id.0,
        name: c.name.clone(),
        phone: if masked {
            c.phone.masked()
        } else {
            c.phone.national()
        },
        owner: c
            .owner_name
            .clone()
            .unwrap_or_else(|| t.t("ledger.pool").to_owned()),
        city: c.city.clone().unwrap_or_default(),
        intent: t.t(intent_key(c.intent.code())),
        intent_code: c.intent.code(),
        next_follow_up: c
            .next_follow_up_at
            .map(|d| local_time(d, state.config.utc_offset))
            .unwrap_or_default(),
        owner_since: local_time(c.owner_since, state.config.utc_offset),
        recycle_due: None,
    }
}

/// The rows, each marked when its owner was warned it is about to be recycled.
async fn with_recycle_marks(
    state: &AppState,
    t: T,
    views: &[CustomerView],
) -> Result<Vec<Row>, PageError> {
    let ids: Vec<_> = views
        .iter()
        .filter(|v| v.customer.owner_id.is_some())
        .map(|v| v.customer.id)
        .collect();
    let due = state.store.recycle_due(&ids, state.now()).await?;
    Ok(views
        .iter()
        .map(|v| {
            let mut r = row(t, v, state);
            r.recycle_due = due.get(&r.id).map(|d| {
                let when = local_time(*d, state.config.utc_offset);
                t.fmt("recycle.about_to", &[("at", &when)])
            });
            r
        })
        .collect())
}

/// The locale key of an intent code.
pub fn intent_key(code: &str) -> &'static str {
    match code {
        "high" => "intent.high",
        "low" => "intent.low",
        _ => "intent.medium",
    }
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(p): Query<Params>,
) -> Result<ListPage, PageError> {
    let t = T(session.locale);
    let scope = customers_scope(&session.actor, p.scope.as_deref())?;
    let (tab, heading) = match scope {
        Scope::Mine => ("mine", "nav.mine"),
        Scope::Team => ("team", "nav.team"),
        Scope::Pool => ("pool", "nav.pool"),
        Scope::Shared => ("shared", "nav.shared"),
    };
    let q = p.q.unwrap_or_default();
    let query = ListQuery {
        scope,
        q: Some(q.clone()),
        before: p.before,
        limit: PAGE,
    };
    // An unusable pool choice means "all pools", never an error page.
    let pool = p.pool.as_deref().and_then(|v| v.parse::<i64>().ok());
    let pool = pool.filter(|_| scope == Scope::Pool);
    let pools = if scope == Scope::Pool {
        state.store.pools_open_to(&session.actor).await?
    } else {
        Vec::new()
    };
    let views = match pool {
        Some(pool) => state.store.list_pool(&session.actor, pool, &query).await?,
        None => state.store.list_customers(&session.actor, &query).await?,
    };
    let next = (views.len() as i64 == PAGE)
        .then(|| views.last().map(|v| v.customer.id.0))
        .flatten()
        .map(|before| {
            let pool = pool.map(|p| p.to_string()).unwrap_or_default();
            let qs = serde_urlencoded::to_string([
                ("scope", tab),
                ("q", q.as_str()),
                ("before", &before.to_string()),
                ("pool", pool.as_str()),
            ])
            .unwrap_or_default();
            format!("/customers?{qs}")
        });
    let open_leads = if scope == Scope::Mine && p.before.is_none() {
        open_leads(&state, t, &session.actor).await?
    } else {
        None
    };
    Ok(ListPage {
        t,
        nav: Some(Nav::new(&session, tab)),
        flash: flash(t, p.flash.as_deref()),
        scope: tab,
        heading,
        q,
        rows: with_recycle_marks(&state, t, &views).await?,
        next,
        pools: if pools.len() > 1 { pools } else { Vec::new() },
        pool,
        open_leads,
    })
}
