//! The server's one error type, mapped once to problem+json (API) and once to an HTML page
//! (pages, rendered by the `pages::errors` middleware, which knows the locale).

use crate::i18n::{Locale, T};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::ownership::OwnershipError;
use kehu_store::StoreError;
use serde_json::json;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such record, or not one the actor may read (never 403: existence must not leak).
    #[error("not found")]
    NotFound,
    /// No valid session or token.
    #[error("unauthenticated")]
    Unauthenticated,
    /// The actor's role may not use this function at all.
    #[error("forbidden")]
    Forbidden,
    /// Bad input, field by field.
    #[error("invalid input")]
    Fields(FieldErrors),
    /// An owner change the rules refuse.
    #[error(transparent)]
    Ownership(#[from] OwnershipError),
    /// A unique value is taken.
    #[error("{what} conflict")]
    Conflict {
        /// The field.
        what: &'static str,
    },
    /// A strong identity key belongs to another customer.
    #[error("duplicate of {}", .0.name)]
    Duplicate(Box<crate::identity::DuplicateHit>),
    /// A key kind cannot be made strong: several customers share one of its values.
    #[error("key kind shared")]
    KeyShared(Box<kehu_store::identity::SharedKey>),
    /// A pool rule refuses: claim limit, ownership cap, re-claim ban, lock limit.
    #[error("refused by pool rule")]
    Pool(kehu_store::pools::PoolRefusal),
    /// The record changed since it was read.
    #[error("stale")]
    Stale,
    /// Another rep claimed the pooled lead first (their name).
    #[error("lead claimed by {0}")]
    LeadTaken(String),
    /// Too many attempts.
    #[error("rate limited")]
    RateLimited {
        /// When to try again.
        retry_at: DateTime<Utc>,
        /// Now, to compute Retry-After.
        now: DateTime<Utc>,
    },
    /// The database is contended; retry.
    #[error("busy")]
    Busy,
    /// A form without a valid CSRF token.
    #[error("csrf")]
    Csrf,
    /// A bug or an outage; logged, never shown.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { what } => AppError::Conflict { what },
            StoreError::Stale => AppError::Stale,
            StoreError::Refused(r) => AppError::Pool(r),
            StoreError::Busy => AppError::Busy,
            StoreError::KeyShared(s) => AppError::KeyShared(s),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Fields(e)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Fields(e.into())
    }
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Fields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Ownership(OwnershipError::NotPermitted | OwnershipError::NotOwner) => {
                StatusCode::FORBIDDEN
            }
            AppError::Ownership(OwnershipError::TargetNotAssignable) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Ownership(_)
            | AppError::Conflict { .. }
            | AppError::Stale
            | AppError::LeadTaken(_)
            | AppError::Pool(_)
            | AppError::KeyShared(_)
            | AppError::Duplicate(_) => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A one-line human message in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        let t = T(locale);
        match self {
            AppError::Ownership(e) => ownership_message(t, e),
            AppError::Conflict { what } => format!("{what} {}", t.t("error.conflict")),
            AppError::Fields(errs) => errs
                .0
                .iter()
                .map(|e| format!("{} {}", field_label(t, &e.field), field_message(t, e)))
                .collect::<Vec<_>>()
                .join("; "),
            AppError::RateLimited { .. } => t.t("error.rate_limited").to_owned(),
            AppError::Duplicate(hit) => duplicate_message(t, hit),
            AppError::KeyShared(s) => shared_key_message(t, s),
            AppError::Pool(r) => crate::pools::refusal_message(t, r),
            AppError::LeadTaken(by) => t.fmt("error.lead_taken", &[("by", by)]),
            other => t.t(other.key()).to_owned(),
        }
    }

    fn key(&self) -> &'static str {
        match self {
            AppError::NotFound => "error.not_found",
            AppError::Unauthenticated => "error.unauthenticated",
            AppError::Forbidden => "error.forbidden",
            AppError::Stale => "error.stale",
            AppError::Busy => "error.busy",
            AppError::Csrf => "error.csrf",
            AppError::Internal(_) => "error.internal",
            _ => "error.bad_request",
        }
    }
}

/// A field's name for people: "电话" for `phone`, `contacts[1].phone` as is.
pub fn field_label(t: T, field: &str) -> String {
    let key = format!("field.{field}");
    match t.t(&key) {
        label if label == key => field.to_owned(),
        label => label.to_owned(),
    }
}

/// The message of a field error, e.g. "is required".
pub fn field_message(t: T, e: &FieldError) -> String {
    let args: Vec<(&str, &str)> = e.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t.fmt(&format!("error.{}", e.code), &args)
}

/// "Already exists: 苏州华星精密, owner 张三 since …" (or "in the pool").
pub fn duplicate_message(t: T, hit: &crate::identity::DuplicateHit) -> String {
    let since = hit.owner_since.format("%Y-%m-%d").to_string();
    match &hit.owner_name {
        Some(owner) => t.fmt(
            "identity.duplicate_owned",
            &[("name", &hit.name), ("owner", owner), ("since", &since)],
        ),
        None => t.fmt("identity.duplicate_pool", &[("name", &hit.name)]),
    }
}

/// "Landline cannot become a strong key: 3 of its values are held by more than one customer…"
pub fn shared_key_message(t: T, s: &kehu_store::identity::SharedKey) -> String {
    let key = format!("strong_keys.kind_{}", s.kind.code());
    let kind = t.t(&key);
    let names: Vec<&str> = s.customers.iter().map(|(_, n)| n.as_str()).collect();
    t.fmt(
        "strong_keys.shared",
        &[
            ("kind", kind),
            ("count", &s.values.to_string()),
            ("value", &s.example),
            ("customers", &names.join(t.t("fuzzy.separator"))),
        ],
    )
}

/// The message of a refused owner change.
pub fn ownership_message(t: T, e: &OwnershipError) -> String {
    match e {
        OwnershipError::AlreadyOwned { owner_name, since } => {
            let since = since.format("%Y-%m-%d %H:%M UTC").to_string();
            t.fmt(
                "ownership.already_owned",
                &[("owner", owner_name), ("since", &since)],
            )
        }
        OwnershipError::NotOwner => t.t("ownership.not_owner").to_owned(),
        OwnershipError::InPool => t.t("ownership.in_pool").to_owned(),
        OwnershipError::NotPermitted => t.t("ownership.not_permitted").to_owned(),
        OwnershipError::SameOwner => t.t("ownership.same_owner").to_owned(),
        OwnershipError::TargetNotAssignable => t.t("ownership.target_not_assignable").to_owned(),
    }
}

/// An error answered as `application/problem+json` (RFC 9457), in English.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = e.status();
        let t = T(Locale::En);
        let mut body = json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": e.message(Locale::En),
        });
        match &e {
            AppError::Fields(errs) => {
                body["errors"] = errs
                    .0
                    .iter()
                    .map(|f| json!({ "field": f.field, "code": f.code, "detail": field_message(t, f) }))
                    .collect();
            }
            AppError::Ownership(OwnershipError::AlreadyOwned { owner_name, since }) => {
                body["owner"] = json!({ "name": owner_name, "since": since });
            }
            AppError::Conflict { what } => {
                body["errors"] = json!([{ "field": what, "code": "conflict" }])
            }
            AppError::Pool(r) => crate::pools::refusal_body(r, &mut body),
            AppError::KeyShared(s) => {
                let detail = shared_key_message(t, s);
                body["errors"] =
                    json!([{ "field": "kinds", "code": "strong_key_shared", "detail": detail }]);
                body["shared"] = json!({
                    "kind": s.kind,
                    "values": s.values,
                    "example": s.example,
                    "customers": s.customers.iter()
                        .map(|(id, name)| json!({ "id": id.0, "name": name }))
                        .collect::<Vec<_>>(),
                });
            }
            AppError::Duplicate(hit) => {
                let detail = duplicate_message(t, hit);
                body["errors"] =
                    json!([{ "field": hit.field, "code": "duplicate", "detail": detail }]);
                body["existing"] = json!(hit);
            }
            _ => {}
        }
        let mut resp = (status, axum::Json(body)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        add_retry_after(&e, &mut resp);
        if let AppError::Internal(detail) = &e {
            resp.extensions_mut().insert(InternalDetail(detail.clone()));
        }
        resp
    }
}

fn add_retry_after(e: &AppError, resp: &mut Response) {
    let secs = match e {
        AppError::RateLimited { retry_at, now } => (*retry_at - *now).num_seconds().max(1),
        AppError::Busy => 1,
        _ => return,
    };
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

/// Internal error detail, attached to the response for the logging middleware only.
#[derive(Debug, Clone)]
pub struct InternalDetail(pub String);

/// An error on a page: the status now, the HTML later (the `pages::errors` middleware
/// renders it in the user's language with recovery links).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

/// The error a page handler failed with, carried to the rendering middleware.
#[derive(Debug, Clone)]
pub struct PageFailure(pub std::sync::Arc<AppError>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut resp = self.0.status().into_response();
        add_retry_after(&self.0, &mut resp);
        if let AppError::Internal(detail) = &self.0 {
            resp.extensions_mut().insert(InternalDetail(detail.clone()));
        }
        resp.extensions_mut()
            .insert(PageFailure(std::sync::Arc::new(self.0)));
        resp
    }
}
