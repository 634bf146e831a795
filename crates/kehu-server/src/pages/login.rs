//! Log in, log out, switch language.

use crate::auth::extract::{LANG_COOKIE, SESSION_COOKIE, constant_time_eq};
use crate::auth::login::{login, logout};
use crate::auth::token::random_token;
use crate::auth::{ClientIp, CsrfForm, Lang};
use crate::error::{AppError, PageError};
use crate::i18n::T;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

const LOGIN_CSRF_COOKIE: &str = "kehu_login_csrf";

/// The login routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(submit))
        .route("/logout", post(leave))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    t: T,
    nav: Option<super::Nav>,
    flash: Option<String>,
    csrf: String,
    next: String,
    login: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct NextParam {
    next: Option<String>,
}

/// Only local paths, so the login form cannot be used to bounce users to another site.
fn safe_next(next: Option<&str>) -> String {
    // Browsers drop tabs and newlines inside URLs ("/\t/evil.example" becomes
    // "//evil.example"), so any control character or whitespace disqualifies a target.
    let local = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && !n.chars().any(|c| c.is_control() || c.is_whitespace())
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/customers".to_owned(),
    }
}

fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .build()
}

fn page(
    state: &AppState,
    jar: CookieJar,
    t: T,
    next: String,
    login: String,
    error: Option<String>,
) -> (CookieJar, LoginPage) {
    // Login CSRF: a double-submit token, since there is no session yet to hold one.
    let csrf = random_token();
    let jar = jar.add(cookie(state, LOGIN_CSRF_COOKIE, csrf.clone()));
    (
        jar,
        LoginPage {
            t,
            nav: None,
            flash: None,
            csrf,
            next,
            login,
            error,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    Lang(l): Lang,
    jar: CookieJar,
    Query(q): Query<NextParam>,
) -> impl IntoResponse {
    page(
        &state,
        jar,
        T(l),
        safe_next(q.next.as_deref()),
        String::new(),
        None,
    )
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Deserialize)]
struct NoFields {}

#[derive(Debug, Deserialize)]
struct LoginForm {
    login: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

async fn submit(
    State(state): State<AppState>,
    Lang(l): Lang,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let t = T(l);
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return Err(AppError::Csrf.into());
    }
    let next = safe_next(form.next.as_deref());
    match login(&state, &form.login, &form.password, &ip).await {
        Ok(session) => {
            // A new login replaces whatever session this browser had.
            if let Some(old) = jar.get(SESSION_COOKIE) {
                logout(&state, old.value()).await?;
            }
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/"))
                .add(cookie(&state, SESSION_COOKIE, session.token));
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Err(AppError::Unauthenticated) => {
            let (jar, p) = page(
                &state,
                jar,
                t,
                next,
                form.login,
                Some(t.t("login.failed").to_owned()),
            );
            Ok((StatusCode::UNAUTHORIZED, jar, p).into_response())
        }
        Err(AppError::RateLimited { retry_at, now }) => {
            let minutes = ((retry_at - now).num_seconds() + 59) / 60;
            let msg = t.fmt("login.throttled", &[("minutes", &minutes.to_string())]);
            let (jar, p) = page(&state, jar, t, next, form.login, Some(msg));
            let retry = [(
                header::RETRY_AFTER,
                (retry_at - now).num_seconds().max(1).to_string(),
            )];
            Ok((StatusCode::TOO_MANY_REQUESTS, retry, jar, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn leave(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm(_session, NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        logout(&state, c.value()).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}

/// Sets the language cookie and returns to the page the user came from.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let locale = crate::i18n::Locale::from_tag(&tag);
    // A year-long preference, not a secret: no HttpOnly needed.
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let c = Cookie::parse(format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        locale.tag()
    ))
    .unwrap_or_else(|_| cookie(&state, LANG_COOKIE, locale.tag().to_owned()));
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_owned()))
        .map(|p| safe_next(Some(&p)))
        .unwrap_or_else(|| "/customers".to_owned());
    (jar.add(c), Redirect::to(&back)).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_plain_local_paths_are_followed() {
        assert_eq!(
            safe_next(Some("/customers/7?flash=claimed")),
            "/customers/7?flash=claimed"
        );
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example",
            "/\\evil",
            "/ /x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/customers", "{bad:?}");
        }
    }
}
