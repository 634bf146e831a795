//! Real headless Chromium against a real server (SQLite): what a rep does by hand.
//!
//! One browser per test function. `KEHU_SCREENSHOT=1` also saves the customer page after a
//! claim to `docs/screenshot-customer.png` (the README's picture); normal runs write nothing.

use crate::harness::{PASSWORD, TestApp, id_of, ui_fmt, ui_text, zh};
use fantoccini::Locator;
use kehu_domain::Role;
use kehu_testkit::Backend;
use kehu_testkit::browser::Browser;
use scraper::{Html, Selector};
use serde_json::json;
use std::path::Path;

/// The current page's HTML as the browser has it.
pub(super) async fn source(b: &Browser) -> String {
    b.client.source().await.expect("page source")
}

/// The text of every element matching `css` in `html`, whitespace collapsed.
pub(super) fn texts(html: &str, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css:?}: {e:?}"));
    Html::parse_document(html)
        .select(&sel)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The current value of the form field named `name`.
pub(super) async fn value_of(b: &Browser, name: &str) -> String {
    b.client
        .find(Locator::Css(&format!("[name=\"{name}\"]")))
        .await
        .unwrap_or_else(|e| panic!("no field {name}: {e}"))
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("value of {name}: {e}"))
        .unwrap_or_default()
}

/// The path and query of the current URL.
pub(super) async fn path(b: &Browser) -> String {
    let url = reqwest::Url::parse(&b.url().await).expect("current URL parses");
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Logs in through the login form; lands on "my customers".
pub(super) async fn log_in(b: &Browser, base: &str, login: &str, name: &str) {
    b.goto(&format!("{base}/login")).await;
    b.fill("login", login).await;
    b.fill("password", PASSWORD).await;
    b.click_and_wait_navigation("#login-submit").await;
    assert_eq!(path(b).await, "/customers", "{login} lands on their list");
    assert!(
        b.text("#who").await.starts_with(name),
        "{login}: header names {name}"
    );
}

mod customers;
mod identity;
mod lead_entry;
mod leads;
mod ownership;
mod simulator;
