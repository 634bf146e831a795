//! The customer page's people section: collaborators (协作人) with add and remove, open
//! collaboration requests to grant or decline, the reveal log for the owner, and the
//! appeal form for a colleague who believes the customer is theirs.

use crate::auth::{CsrfForm, Session};
use crate::collaborators as actions;
use crate::error::PageError;
use crate::i18n::T;
use crate::pages::{PageId, local_time};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Redirect;
use kehu_domain::Role;
use kehu_domain::access::Visibility;
use kehu_domain::ids::CustomerId;
use kehu_store::customers::CustomerView;
use serde::Deserialize;

/// A collaborator line.
pub struct Member {
    /// The colleague.
    pub user_id: i64,
    /// "张伟 · 只读".
    pub label: String,
    /// "added by … on …".
    pub granted: String,
}

/// An open collaboration request.
pub struct Request {
    /// Request id.
    pub id: i64,
    /// Who asks, and when.
    pub label: String,
}

/// Everything the section shows.
#[derive(Default)]
pub struct Section {
    /// Shown at all (the reader sees the customer unmasked).
    pub visible: bool,
    /// Add, remove, grant and decline buttons.
    pub can_manage: bool,
    /// Current collaborators.
    pub members: Vec<Member>,
    /// Colleagues to add: (id, name).
    pub colleagues: Vec<(i64, String)>,
    /// Open collaboration requests.
    pub requests: Vec<Request>,
    /// The reveal log, for the owner: "时间 · 谁 查看了…".
    pub reveals: Option<Vec<String>>,
    /// The appeal form (a rep who does not own the customer).
    pub can_appeal: bool,
}

/// Builds the section for `session` reading `view`.
pub async fn section(
    state: &AppState,
    t: T,
    session: &Session,
    view: &CustomerView,
) -> Result<Section, PageError> {
    let c = &view.customer;
    if view.visibility != Visibility::Full || c.owner_id.is_none() {
        return Ok(Section::default());
    }
    let actor = &session.actor;
    let offset = state.config.utc_offset;
    let can_manage = actions::may_manage(actor, view);
    let members = state.store.collaborators(c.id).await?;
    let mut s = Section {
        visible: true,
        can_manage,
        can_appeal: actor.role == Role::Rep && c.owner_id != Some(actor.user_id),
        members: members
            .iter()
            .map(|m| Member {
                user_id: m.user_id,
                label: format!(
                    "{} · {}",
                    m.name,
                    t.t(&format!("people.access_{}", m.access))
                ),
                granted: t.fmt(
                    "people.granted_by",
                    &[
                        ("by", &m.granted_by_name),
                        ("at", &local_time(m.granted_at, offset)),
                    ],
                ),
            })
            .collect(),
        ..Section::default()
    };
    if can_manage {
        let taken: Vec<i64> = members.iter().map(|m| m.user_id).collect();
        s.colleagues = state
            .store
            .colleagues(c.owner_id.unwrap_or(actor.user_id))
            .await?
            .into_iter()
            .filter(|(id, _)| !taken.contains(id))
            .collect();
        s.requests = state
            .store
            .open_requests(c.id)
            .await?
            .into_iter()
            .filter(|r| r.kind == "collaboration")
            .map(|r| Request {
                id: r.id,
                label: format!(
                    "{} · {}",
                    r.requester_name,
                    local_time(r.created_at, offset)
                ),
            })
            .collect();
    }
    if c.owner_id == Some(actor.user_id) {
        let log = state.store.reveals(c.id, 50).await?;
        s.reveals = Some(
            log.iter()
                .map(|r| {
                    let via = t.t(&format!("people.via_{}", r.via)).to_owned();
                    format!(
                        "{} · {}（{via}）",
                        local_time(r.at, offset),
                        t.fmt("people.reveal_entry", &[("who", &r.viewer_name)])
                    )
                })
                .collect(),
        );
    }
    Ok(s)
}

/// Flash messages of this section (`?flash=collaborator_added` …).
pub fn flash(t: T, key: Option<&str>) -> Option<String> {
    const KEYS: &[&str] = &[
        "collaborator_added",
        "collaborator_removed",
        "request_declined",
    ];
    key.filter(|k| KEYS.contains(k))
        .map(|k| t.t(&format!("people.flash_{k}")).to_owned())
}

#[derive(Debug, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    access: String,
}

pub async fn add(
    State(state): State<AppState>,
    PageId(id): PageId,
    CsrfForm(s, f): CsrfForm<AddForm>,
) -> Result<Redirect, PageError> {
    let access = actions::parse_access(&f.access)?;
    let user = f.user_id.trim().parse().map_err(|_| {
        crate::error::AppError::from(kehu_domain::FieldError::new("user_id", "required"))
    })?;
    actions::add(&state, &s.actor, CustomerId(id), user, access).await?;
    Ok(Redirect::to(&format!(
        "/customers/{id}?flash=collaborator_added"
    )))
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

/// Two path ids: the customer and a user or request.
fn ids(raw: &(String, String)) -> Result<(i64, i64), PageError> {
    match (raw.0.parse(), raw.1.parse()) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        _ => Err(crate::error::AppError::NotFound.into()),
    }
}

pub async fn remove(
    State(state): State<AppState>,
    Path(raw): Path<(String, String)>,
    CsrfForm(s, Empty {}): CsrfForm<Empty>,
) -> Result<Redirect, PageError> {
    let (id, user) = ids(&raw)?;
    actions::remove(&state, &s.actor, CustomerId(id), user).await?;
    Ok(Redirect::to(&format!(
        "/customers/{id}?flash=collaborator_removed"
    )))
}

pub async fn grant(
    State(state): State<AppState>,
    Path(raw): Path<(String, String)>,
    CsrfForm(s, Empty {}): CsrfForm<Empty>,
) -> Result<Redirect, PageError> {
    let (id, request) = ids(&raw)?;
    actions::grant_request(&state, &s.actor, CustomerId(id), request).await?;
    Ok(Redirect::to(&format!(
        "/customers/{id}?flash=collaborator_added"
    )))
}

pub async fn decline(
    State(state): State<AppState>,
    Path(raw): Path<(String, String)>,
    CsrfForm(s, Empty {}): CsrfForm<Empty>,
) -> Result<Redirect, PageError> {
    let (id, request) = ids(&raw)?;
    actions::decline_request(&state, &s.actor, CustomerId(id), request).await?;
    Ok(Redirect::to(&format!(
        "/customers/{id}?flash=request_declined"
    )))
}
