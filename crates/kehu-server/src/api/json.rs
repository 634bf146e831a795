//! A JSON body extractor whose errors name the offending field, as problem+json.

use crate::error::{ApiError, AppError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use kehu_domain::error::FieldError;
use serde::de::DeserializeOwned;

/// Like `axum::Json`, but a bad body is a 422 naming the field (`unknown_field`,
/// `required`, `invalid_type`) instead of a plain-text rejection.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::from(FieldError::new("body", "invalid_json")).into());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::from(FieldError::new("body", "invalid_json")))?;
        parse(&bytes)
            .map(ApiJson)
            .map_err(|e| AppError::from(e).into())
    }
}

/// Deserialises `bytes`, turning serde's error into a field error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, FieldError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        let quoted = |prefix: &str| {
            msg.strip_prefix(prefix)
                .and_then(|rest| rest.split('`').next())
                .map(str::to_owned)
        };
        // Nested fields are named with their path (`rules[0].dynamic.speed`).
        let full = |field: String| match path.as_str() {
            "." | "" => field,
            p if p == field || p.ends_with(&format!(".{field}")) => p.to_owned(),
            p => format!("{p}.{field}"),
        };
        if let Some(field) = quoted("unknown field `") {
            FieldError::new(full(field), "unknown_field")
        } else if let Some(field) = quoted("missing field `") {
            FieldError::new(full(field), "required")
        } else if msg.starts_with("unknown variant `") {
            // A value outside an enum (a strategy, a region, a grade): the field is right,
            // its value is not one of those allowed.
            FieldError::new(
                if path == "." { "body".to_owned() } else { path },
                "unknown_value",
            )
        } else if inner.is_syntax() || inner.is_eof() {
            FieldError::new("body", "invalid_json")
        } else if path == "." {
            FieldError::new("body", "invalid_type")
        } else {
            FieldError::new(path, "invalid_type")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kehu_domain::customer::CustomerInput;

    #[test]
    fn errors_name_the_field() {
        let e = parse::<CustomerInput>(br#"{"name":"x","colour":"red"}"#).unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("colour", "unknown_field"));
        let e = parse::<CustomerInput>(br#"{"name":5}"#).unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("name", "invalid_type"));
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Inner {
            #[expect(dead_code, reason = "only the error matters")]
            a: u8,
        }
        #[derive(Debug, serde::Deserialize)]
        #[expect(dead_code, reason = "only the error matters")]
        struct Outer {
            items: Vec<Inner>,
        }
        let e = parse::<Outer>(br#"{"items":[{"a":1},{"a":1,"b":2}]}"#).unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("items[1].b", "unknown_field"));
        let e = parse::<Outer>(br#"{"items":[{}]}"#).unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("items[0].a", "required"));
        #[derive(Debug, serde::Deserialize)]
        enum Colour {
            Red,
        }
        #[derive(Debug, serde::Deserialize)]
        #[expect(dead_code, reason = "only the error matters")]
        struct Paint {
            colours: Vec<Colour>,
        }
        let e = parse::<Paint>(br#"{"colours":["Red","Blue"]}"#).unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("colours[1]", "unknown_value"));
        let e = parse::<CustomerInput>(b"{").unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("body", "invalid_json"));
    }
}
