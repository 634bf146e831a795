//! `POST /api/v1/customers/check`: the live duplicate check a form calls while typing.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use kehu_domain::FieldError;
use kehu_domain::customer::Phone;
use kehu_domain::customer::keys::IdentityKey;
use kehu_domain::identity::CreditCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// The check route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/customers/check", post(check))
}

/// What has been typed so far; every field optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    /// Ignored until fuzzy name matching exists; accepted so forms can send what they have.
    #[serde(default)]
    #[expect(dead_code, reason = "name matching comes with the fuzzy matcher")]
    name: Option<String>,
    phone: Option<String>,
    credit_code: Option<String>,
}

async fn check(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CheckBody>,
) -> Result<Json<Value>, ApiError> {
    let mut keys = Vec::new();
    if let Some(raw) = body.phone.as_deref().filter(|p| !p.trim().is_empty()) {
        keys.push(IdentityKey::phone(&Phone::parse("phone", raw)?));
    }
    if let Some(raw) = body.credit_code.as_deref().filter(|c| !c.trim().is_empty()) {
        let code = CreditCode::parse("credit_code", raw).map_err(FieldError::from)?;
        keys.push(IdentityKey::credit_code(code.as_str()));
    }
    let matches = crate::identity::check(&state, &actor, &keys, None).await?;
    let blocked = matches.iter().any(|m| m.blocks);
    Ok(Json(json!({ "blocked": blocked, "matches": matches })))
}
