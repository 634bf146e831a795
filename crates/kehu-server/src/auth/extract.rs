//! Extractors that turn a request into an authenticated `Actor`, or refuse it.

use super::token::token_hash;
use crate::error::{ApiError, AppError, PageError};
use crate::i18n::Locale;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use kehu_domain::Actor;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// Session cookie name.
pub const SESSION_COOKIE: &str = "kehu_session";
/// Language cookie name.
pub const LANG_COOKIE: &str = "kehu_lang";

/// An API caller, authenticated by `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthenticated)?;
        let actor = state
            .store
            .token_actor(&token_hash(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(ApiActor(actor))
    }
}

/// The page language, from the `kehu_lang` cookie; Chinese when absent.
#[derive(Debug, Clone, Copy)]
pub struct Lang(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(lang_of(parts)))
    }
}

/// The locale a request asks for by cookie.
pub fn lang_of(parts: &Parts) -> Locale {
    CookieJar::from_headers(&parts.headers)
        .get(LANG_COOKIE)
        .map(|c| Locale::from_tag(c.value()))
        .unwrap_or_default()
}

/// A logged-in page user: actor, their CSRF token and language.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub actor: Actor,
    /// The token every state-changing form must carry.
    pub csrf: String,
    /// UI language.
    pub locale: Locale,
    /// Unread notifications, for the header (loaded with the session).
    pub unread: i64,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        if let Some(s) = parts.extensions.get::<Session>() {
            return Ok(s.clone());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
            .ok_or(AppError::Unauthenticated)?;
        let (actor, csrf, unread) = state
            .store
            .session_actor(&token_hash(&token), state.now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let session = Session {
            actor,
            csrf,
            locale: lang_of(parts),
            unread,
        };
        parts.extensions.insert(session.clone());
        Ok(session)
    }
}

/// A form post from a logged-in user whose `csrf` field matches their session's token.
/// The remaining fields are deserialised into `T`.
pub struct CsrfForm<T>(pub Session, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .map_err(|_| AppError::Csrf)?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::Csrf)?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), session.csrf.as_bytes()) {
            return Err(AppError::Csrf.into());
        }
        let rest: Vec<_> = pairs.into_iter().filter(|(k, _)| k != "csrf").collect();
        let encoded =
            serde_urlencoded::to_string(&rest).map_err(|e| AppError::Internal(e.to_string()))?;
        let form = serde_urlencoded::from_str(&encoded)
            .map_err(|_| AppError::from(kehu_domain::FieldError::new("form", "invalid_type")))?;
        Ok(CsrfForm(session, form))
    }
}

/// Compares secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address, for per-address login throttling ("unknown" when not served
/// over a socket, as in in-process tests).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientIp(ip.unwrap_or_else(|| "unknown".to_owned())))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"ab"));
    }
}
