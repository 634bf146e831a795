//! Path and query extractors whose rejections are problem+json like every other API error.

use crate::error::{ApiError, AppError};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use kehu_domain::error::FieldError;
use serde::de::DeserializeOwned;

/// A numeric id from the path; anything else is a record that does not exist (404).
#[derive(Debug, Clone, Copy)]
pub struct IdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<i64>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(IdPath(id)),
            Err(_) => Err(AppError::NotFound.into()),
        }
    }
}

/// Query parameters; an unknown or malformed one is a 422 naming it.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => {
                // serde_urlencoded names the field between backticks ("unknown field `x`").
                let text = e.body_text();
                let field = text.split('`').nth(1).unwrap_or("query").to_owned();
                Err(AppError::from(FieldError::new(field, "invalid_type")).into())
            }
        }
    }
}
