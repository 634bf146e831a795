//! `/customers/{id}`: profile, contacts, ownership timeline, change log, owner actions.

use super::list::intent_key;
use crate::auth::Session;
use crate::error::{AppError, PageError};
use crate::i18n::T;
use crate::pages::{Nav, PageId, flash, local_time, merge_undo};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kehu_domain::Role;
use kehu_domain::access::Visibility;
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::{LedgerEntry, LedgerKind};
use serde::Deserialize;

/// A contact row.
pub struct ContactRow {
    name: String,
    phone: String,
    title: String,
}

/// A timeline entry.
pub struct Event {
    at: String,
    text: String,
    reason: Option<String>,
}

/// An audit row.
pub struct Change {
    at: String,
    who: String,
    field: String,
    old: String,
    new: String,
}

/// An open collaboration request or appeal.
pub struct RequestRow {
    at: String,
    who: String,
    what: String,
}

/// A transfer target.
pub struct Rep {
    id: i64,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/show.html")]
/// The customer page.
pub struct ShowPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    id: i64,
    name: String,
    props: Vec<(&'static str, String)>,
    masked: bool,
    in_pool: bool,
    /// Its pool (unowned) and the owner's lock.
    place: kehu_store::pools::Place,
    /// The actor owns it: may lock and unlock.
    is_owner: bool,
    owner: String,
    contacts: Vec<ContactRow>,
    events: Vec<Event>,
    changes: Vec<Change>,
    can_release: bool,
    reps: Vec<Rep>,
    requests: Vec<RequestRow>,
    merges: Vec<merge_undo::MergeRow>,
    follow_ups: super::follow_up::Section,
    deals: super::deals::Section,
    people: super::collaborators::Section,
}

#[derive(Debug, Deserialize)]
pub struct Params {
    flash: Option<String>,
}

/// The sentence for one ledger event, e.g. "王芳 将客户从 李娜 转移给 张伟".
pub fn describe(t: T, e: &LedgerEntry) -> String {
    let pool = t.t("ledger.pool");
    let from = e.from_name.as_deref().unwrap_or(pool);
    let to = e.to_name.as_deref().unwrap_or(pool);
    let key = match e.kind {
        LedgerKind::Create => "ledger.create",
        LedgerKind::Claim => "ledger.claim",
        LedgerKind::Release => "ledger.release",
        LedgerKind::Transfer => "ledger.transfer",
        LedgerKind::Recycle => "ledger.recycle",
        LedgerKind::Merge => "merge.ledger_merge",
        LedgerKind::Unmerge => "merge.ledger_unmerge",
        LedgerKind::Appeal => "people.ledger_appeal",
    };
    t.fmt(key, &[("by", &e.by_name), ("from", from), ("to", to)])
}

/// A recycle's rule and facts, in words, for its timeline entry.
fn recycle_reason(t: T, e: &LedgerEntry, offset: chrono::FixedOffset) -> Option<String> {
    let rule = e
        .rule
        .as_deref()
        .filter(|_| e.kind == LedgerKind::Recycle)?;
    crate::jobs::describe_recycle(t, rule, offset)
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    PageId(id): PageId,
    Query(p): Query<Params>,
) -> Result<Response, PageError> {
    let t = T(session.locale);
    let actor = &session.actor;
    let Some(view) = state.store.customer_for(actor, CustomerId(id)).await? else {
        // A merged-away id leads to the record it was merged into.
        return match crate::merge::redirect(&state, actor, CustomerId(id)).await? {
            Some(to) => Ok(Redirect::to(&format!("/customers/{to}")).into_response()),
            None => Err(AppError::NotFound.into()),
        };
    };
    crate::collaborators::log_reveal(&state, actor, &view, "page").await?;
    let offset = state.config.utc_offset;
    let masked = view.visibility != Visibility::Full;
    let c = &view.customer;
    let phone = |p: &kehu_domain::customer::Phone| if masked { p.masked() } else { p.national() };
    let contacts = state.store.contacts(c.id).await?;
    let ledger = state.store.timeline(c.id).await?;
    let merges = merge_undo::merges_on(&state, &session, c.id).await?;
    let follow_ups = super::follow_up::section(&state, t, actor, &view).await?;
    let deals = super::deals::section(&state, t, actor, &view).await?;
    let people = super::collaborators::section(&state, t, &session, &view).await?;
    let requests = if masked {
        Vec::new()
    } else {
        state.store.open_requests(c.id).await?
    };
    let changes = if masked {
        Vec::new()
    } else {
        state.store.customer_audit(c.id).await?
    };
    let ext = c
        .phone
        .extension()
        .filter(|_| !masked)
        .map(|e| format!(" {} {e}", t.t("customer.extension")))
        .unwrap_or_default();
    let props = vec![
        ("customer.phone", format!("{}{ext}", phone(&c.phone))),
        (
            "customer.source",
            t.t(&format!("source.{}", c.source.code())).to_owned(),
        ),
        (
            "customer.intent",
            t.t(intent_key(c.intent.code())).to_owned(),
        ),
        (
            "customer.grade",
            c.grade.map(|g| g.code().to_owned()).unwrap_or_default(),
        ),
        (
            "customer.credit_code",
            c.credit_code.clone().unwrap_or_default(),
        ),
        ("customer.industry", c.industry.clone().unwrap_or_default()),
        ("customer.province", c.province.clone().unwrap_or_default()),
        ("customer.city", c.city.clone().unwrap_or_default()),
        (
            "customer.next_follow_up_at",
            c.next_follow_up_at
                .map(|d| local_time(d, offset))
                .unwrap_or_default(),
        ),
        ("customer.owner_since", local_time(c.owner_since, offset)),
    ];
    let can_release = !c.in_pool() && kehu_domain::access::can_change(actor, view.facts());
    let reps = if actor.role == Role::Rep || masked && !c.in_pool() {
        Vec::new()
    } else {
        let users = state.store.users_in_scope(actor).await?;
        users
            .into_iter()
            .filter(|u| u.active && Some(u.id) != c.owner_id.map(|o| o.0))
            .map(|u| Rep {
                id: u.id,
                label: format!("{} · {}", u.name, u.team_name.unwrap_or_default()),
            })
            .collect()
    };
    Ok(ShowPage {
        t,
        nav: Some(Nav::new(
            &session,
            if c.in_pool() { "pool" } else { "mine" },
        )),
        flash: flash(t, p.flash.as_deref())
            .or_else(|| merge_undo::flash(t, p.flash.as_deref()))
            .or_else(|| super::collaborators::flash(t, p.flash.as_deref()))
            .or_else(|| super::deals::flash(t, p.flash.as_deref())),
        csrf: session.csrf.clone(),
        id: c.id.0,
        name: c.name.clone(),
        props,
        masked,
        in_pool: c.in_pool(),
        place: view.place.clone(),
        is_owner: c.owner_id == Some(actor.user_id),
        owner: c
            .owner_name
            .clone()
            .unwrap_or_else(|| t.t("customer.in_pool").to_owned()),
        contacts: contacts
            .iter()
            .map(|k| ContactRow {
                name: k.name.clone(),
                phone: k.phone.as_ref().map(phone).unwrap_or_default(),
                title: k.title.clone().unwrap_or_default(),
            })
            .collect(),
        events: ledger
            .iter()
            .rev()
            .map(|e| Event {
                at: local_time(e.at, offset),
                text: merge_undo::timeline_text(t, c.id.0, e, describe(t, e)),
                reason: e
                    .reason
                    .as_ref()
                    .map(|r| t.fmt("ledger.reason", &[("reason", r)]))
                    .or_else(|| recycle_reason(t, e, offset)),
            })
            .collect(),
        changes: changes
            .into_iter()
            .map(|a| Change {
                at: local_time(a.at, offset),
                who: a.actor_name,
                field: merge_undo::audit_label(t, &a.field),
                old: a.old_value.unwrap_or_default(),
                new: a.new_value.unwrap_or_default(),
            })
            .collect(),
        can_release,
        reps,
        requests: requests
            .into_iter()
            .map(|r| RequestRow {
                at: local_time(r.created_at, offset),
                who: r.requester_name,
                what: t.t(&format!("identity.kind_{}", r.kind)).to_owned(),
            })
            .collect(),
        merges,
        follow_ups,
        deals,
        people,
    }
    .into_response())
}
