//! `/customers/check?phone=…&credit_code=…`: the live duplicate warning of the form, as an
//! HTML fragment (the page's script puts it above the Save button).

use crate::auth::Session;
use crate::error::PageError;
use crate::i18n::T;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use kehu_domain::customer::Phone;
use kehu_domain::customer::keys::IdentityKey;
use kehu_domain::identity::CreditCode;
use serde::Deserialize;

/// One possible duplicate, formatted.
pub struct Hit {
    reason_key: String,
    blocks: bool,
    id: Option<i64>,
    name: String,
    owner: Option<String>,
    since: String,
    masked_phone: String,
    key: String,
}

/// The warning fragment.
#[derive(Template, WebTemplate)]
#[template(path = "customers/duplicates.html")]
pub struct Fragment {
    t: T,
    hits: Vec<Hit>,
}

#[derive(Debug, Deserialize)]
pub struct Params {
    phone: Option<String>,
    credit_code: Option<String>,
}

/// Half-typed input is no error here: what does not parse yet is simply not checked.
pub async fn fragment(
    State(state): State<AppState>,
    session: Session,
    Query(p): Query<Params>,
) -> Result<Fragment, PageError> {
    let mut keys = Vec::new();
    if let Some(phone) = p
        .phone
        .as_deref()
        .and_then(|s| Phone::parse("phone", s).ok())
    {
        keys.push(IdentityKey::phone(&phone));
    }
    if let Some(code) = p
        .credit_code
        .as_deref()
        .and_then(|s| CreditCode::parse("credit_code", s).ok())
    {
        keys.push(IdentityKey::credit_code(code.as_str()));
    }
    let found = crate::identity::check(&state, &session.actor, &keys, None).await?;
    let hits = found
        .into_iter()
        .map(|h| Hit {
            reason_key: format!("identity.{}", h.reason),
            blocks: h.blocks,
            id: h.id,
            name: h.name,
            owner: h.owner_name,
            since: crate::pages::local_time(h.owner_since, state.config.utc_offset),
            masked_phone: h.masked_phone,
            key: h.key,
        })
        .collect();
    Ok(Fragment {
        t: T(session.locale),
        hits,
    })
}
