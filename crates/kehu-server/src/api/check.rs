//! `POST /api/v1/customers/check`: the live duplicate check a form calls while typing.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::i18n::{Locale, T};
use crate::identity::{CheckInput, DuplicateHit, reasons_text};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use kehu_domain::FieldError;
use kehu_domain::customer::Phone;
use kehu_domain::customer::keys::IdentityKey;
use kehu_domain::identity::CreditCode;
use kehu_domain::identity::matching::index::{StoredCustomer, record_of};
use serde::Deserialize;
use serde_json::{Value, json};

/// The check route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/customers/check", post(check))
}

/// What has been typed so far; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    name: Option<String>,
    phone: Option<String>,
    credit_code: Option<String>,
    province: Option<String>,
    city: Option<String>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl CheckBody {
    /// The check's input; a phone or credit code that does not parse is a field error.
    fn input(&self) -> Result<CheckInput, FieldError> {
        let mut keys = Vec::new();
        if let Some(raw) = given(&self.phone) {
            keys.push(IdentityKey::phone(&Phone::parse("phone", raw)?));
        }
        if let Some(raw) = given(&self.credit_code) {
            let code = CreditCode::parse("credit_code", raw).map_err(FieldError::from)?;
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
        Ok(CheckInput { keys, record })
    }
}

/// A hit as the API shows it: its fields and its reasons in words (English).
pub fn hit_json(hit: &DuplicateHit) -> Value {
    let mut v = json!(hit);
    v["detail"] = json!(reasons_text(T(Locale::En), &hit.reasons));
    v
}

async fn check(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CheckBody>,
) -> Result<Json<Value>, ApiError> {
    let input = body.input().map_err(AppError::from)?;
    let hits = crate::identity::check(&state, &actor, &input, None).await?;
    let blocked = hits.iter().any(|h| h.blocks);
    let confirm = !blocked && hits.iter().any(|h| h.fuzzy);
    let matches: Vec<Value> = hits.iter().map(hit_json).collect();
    Ok(Json(
        json!({ "blocked": blocked, "confirm_required": confirm, "matches": matches }),
    ))
}
