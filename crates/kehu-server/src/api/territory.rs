//! `GET/PUT /api/v1/users/{id}/territory`: the provinces and cities a rep covers, for
//! territory-match routing rules. A rep reads their own; their managers and admins set it;
//! anyone else's is 404.

use super::{ApiJson, IdPath};
use crate::auth::ApiActor;
use crate::error::{ApiError, AppError};
use crate::leaves::target;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kehu_domain::error::{FieldError, FieldErrors};
use serde::Deserialize;
use serde_json::{Value, json};

/// Most places one rep covers.
const PLACES_MAX: usize = 100;
/// Longest place name, in characters.
const PLACE_MAX: usize = 20;

/// The territory route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/users/{id}/territory", get(show).put(replace))
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
    let user = target(&state, &actor, id).await?;
    // Reps do not draw their own territory; the people who route to them do.
    if actor.role == kehu_domain::Role::Rep {
        return Err(AppError::Forbidden.into());
    }
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
