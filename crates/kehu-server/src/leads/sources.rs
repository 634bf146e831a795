//! Lead sources (线索来源) and their intake tokens, managed by admins. A token's secret is
//! shown once, at creation; only its SHA-256 is kept.

use crate::auth::token::{random_token, token_hash};
use crate::error::AppError;
use crate::pools::admin_only;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::customer::optional_text;
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_store::leads::{LeadSource, SourceToken};

/// What marks an intake token (user API tokens have no prefix), so intake knows which
/// table to look in.
pub const TOKEN_PREFIX: &str = "kls_";

/// Requests per minute a token gets when none is given.
pub const DEFAULT_RATE: i64 = 60;

/// A new source as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    /// Stable code: lowercase letters, digits and `_`, at most 32.
    pub code: Option<String>,
    /// Display name (官网表单).
    pub name: Option<String>,
}

/// A new token as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// A label (`website backend`).
    pub name: Option<String>,
    /// Accepted requests per minute, 1–10000 (default [`DEFAULT_RATE`]).
    pub rate_per_minute: Option<i64>,
}

/// Creates a source (admins).
pub async fn create_source(
    state: &AppState,
    actor: &Actor,
    input: &SourceInput,
) -> Result<LeadSource, AppError> {
    admin_only(actor)?;
    let mut errs = FieldErrors::default();
    let code = errs.collect(parse_code(input.code.as_deref()));
    let name = errs.collect(required("name", input.name.as_deref(), 50));
    errs.into_result()?;
    let (Some(code), Some(name)) = (code, name) else {
        return Err(AppError::Internal("parsed source without fields".into()));
    };
    let id = state
        .store
        .create_lead_source(&code, &name, actor.user_id, state.now())
        .await?;
    state.store.lead_source(id).await?.ok_or(AppError::NotFound)
}

/// Creates a token for `source` (admins): the token and its secret, shown this once.
pub async fn create_token(
    state: &AppState,
    actor: &Actor,
    source: i64,
    input: &TokenInput,
) -> Result<(SourceToken, String), AppError> {
    admin_only(actor)?;
    let mut errs = FieldErrors::default();
    let name = errs.collect(required("name", input.name.as_deref(), 50));
    let rate = input.rate_per_minute.unwrap_or(DEFAULT_RATE);
    if !(1..=10_000).contains(&rate) {
        errs.0
            .push(FieldError::new("rate_per_minute", "rate_invalid"));
    }
    errs.into_result()?;
    let name = name.unwrap_or_default();
    let secret = format!("{TOKEN_PREFIX}{}", random_token());
    let token = state
        .store
        .create_lead_source_token(
            source,
            &name,
            &token_hash(&secret),
            rate,
            actor.user_id,
            state.now(),
        )
        .await?;
    Ok((token, secret))
}

/// Revokes a token (admins); an unknown or already revoked one is `NotFound`.
pub async fn revoke_token(
    state: &AppState,
    actor: &Actor,
    source: i64,
    token: i64,
) -> Result<(), AppError> {
    admin_only(actor)?;
    if state
        .store
        .revoke_lead_source_token(source, token, state.now())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

fn required(field: &'static str, raw: Option<&str>, max: usize) -> Result<String, FieldError> {
    optional_text(field, raw, max)?.ok_or_else(|| FieldError::new(field, "required"))
}

fn parse_code(raw: Option<&str>) -> Result<String, FieldError> {
    let code = required("code", raw, 32)?;
    let ok = code
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(code)
    } else {
        Err(FieldError::new("code", "source_code_invalid"))
    }
}
