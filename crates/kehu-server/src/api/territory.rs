//! A rep's routing profile: `GET/PUT /api/v1/users/{id}/territory` (the provinces and cities
//! they cover, for territory-match rules), `GET/PUT /api/v1/users/{id}/skills` (the
//! industries they serve, for skill-match rules) and `GET/PUT/DELETE
//! /api/v1/users/{id}/working-hours` (when routing may give them leads). A rep reads their
//! own; their managers and admins set them; anyone else's is 404.

use super::{ApiJson, IdPath};
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::leaves::target;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::ids::UserId;
use kehu_domain::routing::{WorkingHours, parse_skills};
use serde::Deserialize;
use serde_json::{Value, json};

/// Most places one rep covers.
const PLACES_MAX: usize = 100;
/// Longest place name, in characters.
const PLACE_MAX: usize = 20;

/// The territory route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users/{id}/territory", get(show).put(replace))
        .route("/api/v1/users/{id}/skills", get(skills).put(set_skills))
        .route(
            "/api/v1/users/{id}/working-hours",
            get(hours).put(set_hours).delete(clear_hours),
        )
}

/// `id` when `actor` may set their profile: their managers and admins, not the rep.
async fn settable(
    state: &AppState,
    actor: &kehu_domain::Actor,
    id: i64,
) -> Result<UserId, AppError> {
    let user = target(state, actor, id).await?;
    if actor.role == kehu_domain::Role::Rep {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

async fn hours(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<Option<WorkingHours>>, ApiError> {
    let user = target(&state, &actor, id).await?;
    Ok(Json(state.store.working_hours(user).await?))
}

async fn set_hours(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<WorkingHours>,
) -> Result<Json<WorkingHours>, ApiError> {
    let user = settable(&state, &actor, id).await?;
    input.validate().map_err(AppError::from)?;
    state.store.set_working_hours(user, Some(&input)).await?;
    Ok(Json(input))
}

async fn clear_hours(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    let user = settable(&state, &actor, id).await?;
    state.store.set_working_hours(user, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TerritoryInput {
    places: Vec<String>,
}

async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<Value>, ApiError> {
    let user = target(&state, &actor, id).await?;
    let places = state.store.territory(user).await?;
    Ok(Json(json!({ "places": places })))
}

async fn replace(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<TerritoryInput>,
) -> Result<Json<Value>, ApiError> {
    // Reps do not draw their own territory; the people who route to them do.
    let user = settable(&state, &actor, id).await?;
    let mut errs = FieldErrors::default();
    if input.places.len() > PLACES_MAX {
        errs.0.push(FieldError::new("places", "too_long"));
    }
    let mut places: Vec<String> = Vec::new();
    for (i, p) in input.places.iter().enumerate() {
        let p = p.trim();
        if p.is_empty() || p.chars().count() > PLACE_MAX {
            errs.0
                .push(FieldError::new(format!("places[{i}]"), "place_invalid"));
        } else if !places.iter().any(|q| q == p) {
            places.push(p.to_owned());
        }
    }
    errs.into_result().map_err(AppError::from)?;
    state.store.set_territory(user, &places).await?;
    Ok(Json(
        json!({ "places": state.store.territory(user).await? }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SkillsInput {
    industries: Vec<String>,
}

async fn skills(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
) -> Result<Json<Value>, ApiError> {
    let user = target(&state, &actor, id).await?;
    let industries = state.store.skills(user).await?;
    Ok(Json(json!({ "industries": industries })))
}

async fn set_skills(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<SkillsInput>,
) -> Result<Json<Value>, ApiError> {
    // Like a territory: set by the people who route to the rep, not by the rep.
    let user = settable(&state, &actor, id).await?;
    let industries = parse_skills(&input.industries).map_err(AppError::from)?;
    state.store.set_skills(user, &industries).await?;
    Ok(Json(
        json!({ "industries": state.store.skills(user).await? }),
    ))
}
