//! `/api/v1/settings/…`: the rules admins configure — which follow-ups count, the
//! protection periods, lead routing's settings and which identity keys are strong. Everyone
//! may read them (reps see them on the follow-up form); only admins change them, and every
//! change is in the audit log.

use super::ApiJson;
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::follow_ups::{EFFECTIVENESS, PROTECTION};
use crate::routing::LEAD_ROUTING;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kehu_domain::customer::keys::StrongKeys;
use kehu_domain::followup::EffectivenessRules;
use kehu_domain::ownership::protection::ProtectionRules;
use kehu_domain::routing::LeadRoutingSettings;
use kehu_store::identity::STRONG_KEYS;

/// The settings routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/settings/follow-up-effectiveness",
            get(effectiveness).put(put_effectiveness),
        )
        .route(
            "/api/v1/settings/protection-periods",
            get(protection).put(put_protection),
        )
        .route(
            "/api/v1/settings/lead-routing",
            get(lead_routing).put(put_lead_routing),
        )
        .route(
            "/api/v1/settings/strong-keys",
            get(strong_keys).put(put_strong_keys),
        )
}

async fn strong_keys(
    State(state): State<AppState>,
    ApiActor(_): ApiActor,
) -> Result<Json<StrongKeys>, ApiError> {
    Ok(Json(state.store.setting(STRONG_KEYS).await?))
}

/// Refused with 409, naming an example value and its customers, when a kind to be made
/// strong has values several customers share.
async fn put_strong_keys(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(strong): ApiJson<StrongKeys>,
) -> Result<Json<StrongKeys>, ApiError> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden.into());
    }
    state
        .store
        .put_strong_keys(&actor, &strong, state.now())
        .await?;
    Ok(Json(strong))
}

async fn lead_routing(
    State(state): State<AppState>,
    ApiActor(_): ApiActor,
) -> Result<Json<LeadRoutingSettings>, ApiError> {
    Ok(Json(state.store.setting(LEAD_ROUTING).await?))
}

async fn put_lead_routing(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(settings): ApiJson<LeadRoutingSettings>,
) -> Result<Json<LeadRoutingSettings>, ApiError> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden.into());
    }
    state
        .store
        .put_setting(&actor, LEAD_ROUTING, &settings, state.now())
        .await?;
    Ok(Json(settings))
}

async fn effectiveness(
    State(state): State<AppState>,
    ApiActor(_): ApiActor,
) -> Result<Json<EffectivenessRules>, ApiError> {
    Ok(Json(state.store.setting(EFFECTIVENESS).await?))
}

async fn put_effectiveness(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(rules): ApiJson<EffectivenessRules>,
) -> Result<Json<EffectivenessRules>, ApiError> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden.into());
    }
    rules.validate()?;
    state
        .store
        .put_setting(&actor, EFFECTIVENESS, &rules, state.now())
        .await?;
    Ok(Json(rules))
}

async fn protection(
    State(state): State<AppState>,
    ApiActor(_): ApiActor,
) -> Result<Json<ProtectionRules>, ApiError> {
    Ok(Json(state.store.setting(PROTECTION).await?))
}

async fn put_protection(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(rules): ApiJson<ProtectionRules>,
) -> Result<Json<ProtectionRules>, ApiError> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden.into());
    }
    rules.validate()?;
    state
        .store
        .put_setting(&actor, PROTECTION, &rules, state.now())
        .await?;
    Ok(Json(rules))
}
