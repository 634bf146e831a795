//! Embedded static assets, served with a content hash in the URL and a year-long cache.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;
use std::sync::LazyLock;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// The asset routes.
pub fn router() -> Router<crate::state::AppState> {
    Router::new().route("/assets/{file}", get(serve))
}

fn versioned(file: &str) -> String {
    let hash = Assets::get(file)
        .map(|f| hex_prefix(&f.metadata.sha256_hash()))
        .unwrap_or_default();
    format!("/assets/{file}?v={hash}")
}

static CSS_URL: LazyLock<String> = LazyLock::new(|| versioned("app.css"));
static JS_URL: LazyLock<String> = LazyLock::new(|| versioned("app.js"));

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The script's URL, changing whenever its content does.
pub fn js_url() -> &'static str {
    &JS_URL
}

/// The stylesheet's URL, changing whenever its content does.
pub fn css_url() -> &'static str {
    &CSS_URL
}

async fn serve(Path(file): Path<String>) -> Response {
    let Some(asset) = Assets::get(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = match file.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.data.into_owned(),
    )
        .into_response()
}
