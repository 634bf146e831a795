//! Logging in and out: throttled password checks, session rotation.

use super::password;
use super::token::{random_token, token_hash};
use crate::error::AppError;
use crate::state::AppState;
use chrono::Duration;
use kehu_domain::ids::UserId;

/// A started session: the cookie value to hand to the browser.
#[derive(Debug)]
pub struct NewSession {
    /// The raw session token (only its hash is stored).
    pub token: String,
}

/// Checks a login and password, throttled per login and per client address, and starts a
/// fresh session (a new token at every login: no session fixation).
pub async fn login(
    state: &AppState,
    login: &str,
    pass: &str,
    ip: &str,
) -> Result<NewSession, AppError> {
    let now = state.now();
    let (login_key, ip_key) = (
        format!("login:{}", login.trim().to_lowercase()),
        format!("ip:{ip}"),
    );
    {
        let mut th = state.throttles.lock().unwrap_or_else(|e| e.into_inner());
        th.per_login
            .check(&login_key, now)
            .map_err(|retry_at| AppError::RateLimited { retry_at, now })?;
        th.per_ip
            .check(&ip_key, now)
            .map_err(|retry_at| AppError::RateLimited { retry_at, now })?;
    }
    let user = state.store.user_by_login(login.trim()).await?;
    // Verify even for unknown logins, so response time does not reveal which logins exist.
    let phc = match &user {
        Some(u) => u.password_hash.clone(),
        None => dummy_hash().await,
    };
    let ok = password::verify(pass.to_owned(), phc).await;
    match user {
        Some(u) if ok && u.active => {
            state
                .throttles
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .per_login
                .reset(&login_key);
            // Housekeeping on a path that is rare and already slow (Argon2).
            state.store.delete_expired_sessions(now).await?;
            let token = random_token();
            let expires = now + Duration::hours(state.config.session_hours);
            state
                .store
                .create_session(
                    UserId(u.id),
                    &token_hash(&token),
                    &random_token(),
                    now,
                    expires,
                )
                .await?;
            Ok(NewSession { token })
        }
        _ => {
            let mut th = state.throttles.lock().unwrap_or_else(|e| e.into_inner());
            th.per_login.record_failure(&login_key, now);
            th.per_ip.record_failure(&ip_key, now);
            Err(AppError::Unauthenticated)
        }
    }
}

/// Ends the session whose raw token is `token`.
pub async fn logout(state: &AppState, token: &str) -> Result<(), AppError> {
    state.store.delete_session(&token_hash(token)).await?;
    Ok(())
}

/// A hash to verify against when the login does not exist, computed once off the runtime.
async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| password::hash("not a password".to_owned()))
        .await
        .clone()
}
