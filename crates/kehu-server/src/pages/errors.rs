//! Turns a failed page response into a page: a login redirect, or an error page in the
//! user's language with links back to where work continues.

use super::Nav;
use crate::auth::Session;
use crate::auth::extract::lang_of;
use crate::error::{AppError, PageFailure};
use crate::i18n::T;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    title: String,
    message: String,
}

/// Middleware: renders responses that carry a [`PageFailure`].
pub async fn render(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let t = T(lang_of(&parts));
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    // Assets never fail into a page; skip the session lookup for them.
    let session = if path.starts_with("/assets/") {
        None
    } else {
        Session::from_request_parts(&mut parts, &state).await.ok()
    };
    let resp = next.run(Request::from_parts(parts, body)).await;
    let Some(PageFailure(err)) = resp.extensions().get::<PageFailure>().cloned() else {
        return resp;
    };
    if matches!(*err, AppError::Unauthenticated) {
        let next = if path.starts_with('/') && !path.starts_with("//") {
            path
        } else {
            "/".to_owned()
        };
        return Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response();
    }
    let customer_page = path.starts_with("/customers/");
    let title = match *err {
        AppError::NotFound if customer_page => t.t("customer.not_found_title").to_owned(),
        _ => t.t("error.title").to_owned(),
    };
    let message = match *err {
        AppError::NotFound if customer_page => t.t("customer.not_found_body").to_owned(),
        ref e => e.message(t.locale()),
    };
    let page = ErrorPage {
        t,
        nav: session.as_ref().map(|s| Nav::new(s, "")),
        flash: None,
        title,
        message,
    };
    let mut out = (resp.status(), page).into_response();
    for h in [header::RETRY_AFTER] {
        if let Some(v) = resp.headers().get(&h) {
            out.headers_mut().insert(h, v.clone());
        }
    }
    out.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    out
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e[1..].to_owned())
        .unwrap_or_default()
}
