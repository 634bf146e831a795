//! `/customers/check?name=…&phone=…&credit_code=…`: the live duplicate warning of the form,
//! as an HTML fragment (the page's script puts it above the Save button). Exact hits and
//! fuzzy ones, each with its reasons in the rep's language.

use crate::auth::Session;
use crate::error::PageError;
use crate::i18n::T;
use crate::identity::{CheckInput, DuplicateHit, reasons_text};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use chrono::FixedOffset;
use kehu_domain::customer::Phone;
use kehu_domain::customer::keys::IdentityKey;
use kehu_domain::identity::CreditCode;
use kehu_domain::identity::matching::index::{StoredCustomer, record_of};
use serde::Deserialize;

/// One possible duplicate, formatted.
pub struct Hit {
    pub(super) reasons: String,
    pub(super) blocks: bool,
    pub(super) fuzzy: bool,
    pub(super) id: Option<i64>,
    pub(super) name: String,
    pub(super) owner: Option<String>,
    pub(super) since: String,
    pub(super) protected_until: Option<String>,
    pub(super) masked_phone: String,
    pub(super) key: String,
}

/// Formats hits for the rep.
pub fn hits(t: T, offset: FixedOffset, found: Vec<DuplicateHit>) -> Vec<Hit> {
    found
        .into_iter()
        .map(|h| Hit {
            reasons: reasons_text(t, &h.reasons),
            blocks: h.blocks,
            fuzzy: h.fuzzy,
            id: h.id,
            name: h.name,
            owner: h.owner_name,
            since: crate::pages::local_time(h.owner_since, offset),
            protected_until: h
                .protected_until
                .map(|t| crate::pages::local_time(t, offset)),
            masked_phone: h.masked_phone,
            key: h.key,
        })
        .collect()
}

/// The warning fragment.
#[derive(Template, WebTemplate)]
#[template(path = "customers/duplicates.html")]
pub struct Fragment {
    t: T,
    hits: Vec<Hit>,
}

/// What has been typed so far.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    pub(super) name: String,
    pub(super) phone: String,
    pub(super) credit_code: String,
    pub(super) province: String,
    pub(super) city: String,
    pub(super) contact_name: String,
    pub(super) contact_phone: String,
}

fn given(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

impl Params {
    /// Half-typed input is no error here: what does not parse yet is simply not checked.
    pub(super) fn input(&self) -> CheckInput {
        let mut keys = Vec::new();
        if let Some(phone) = given(&self.phone).and_then(|s| Phone::parse("phone", s).ok()) {
            keys.push(IdentityKey::phone(&phone));
        }
        if let Some(code) =
            given(&self.credit_code).and_then(|s| CreditCode::parse("credit_code", s).ok())
        {
            keys.push(IdentityKey::credit_code(code.as_str()));
        }
        let contact = given(&self.contact_name).map(|n| (n, given(&self.contact_phone)));
        let contacts: Vec<(&str, Option<&str>)> = contact.into_iter().collect();
        let record = record_of(&StoredCustomer {
            name: given(&self.name).unwrap_or_default(),
            phone: given(&self.phone),
            credit_code: given(&self.credit_code),
            province: given(&self.province),
            city: given(&self.city),
            contacts: &contacts,
        });
        CheckInput { keys, record }
    }
}

pub async fn fragment(
    State(state): State<AppState>,
    session: Session,
    Query(p): Query<Params>,
) -> Result<Fragment, PageError> {
    let found = crate::identity::check(&state, &session.actor, &p.input(), None).await?;
    let t = T(session.locale);
    Ok(Fragment {
        t,
        hits: hits(t, state.config.utc_offset, found),
    })
}
