//! Server-rendered pages over plain HTTP (no browser): a cookie-keeping client per user,
//! answers read with `scraper` CSS selectors, on both engines. Login and its cookie, the
//! login redirect and where it may lead, CSRF on every form, 404 for other reps' customers,
//! masking in the pool, the team page, login throttling, logout, the timeline, the flash
//! allow-list, escaping, the new-customer form's errors, the routing simulator, entering and
//! importing leads, and the rep's workbench.

mod auth;
mod customers;
mod deals;
mod follow_ups;
mod forms;
mod fuzzy;
mod lead_convert;
mod lead_entry;
mod lead_import;
mod leave;
mod merge;
mod people;
mod pools;
mod protection_overrides;
mod simulator;
mod strong_keys;
mod team;
mod workbench;

use crate::harness::{Org, PASSWORD, TestApp, TestUser, zh};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use scraper::{Html, Selector};

/// A browser stand-in: one cookie jar, redirects not followed (so they can be checked).
pub(crate) struct Web {
    base: String,
    label: String,
    client: reqwest::Client,
}

/// One page answer.
pub(crate) struct Page {
    /// What was asked, for messages: `[Sqlite] GET /customers`.
    pub(crate) what: String,
    status: StatusCode,
    headers: HeaderMap,
    pub(crate) body: String,
}

impl Web {
    /// A client with an empty cookie jar.
    fn new(app: &TestApp) -> Web {
        Web::with_client(
            app,
            reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
        )
    }

    fn with_client(app: &TestApp, client: reqwest::Client) -> Web {
        Web {
            base: app.bases[0].clone(),
            label: app.label(),
            client,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Page {
        let what = format!("[{}] GET {path}", self.label);
        self.send(self.client.get(format!("{}{path}", self.base)), what)
            .await
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let what = format!("[{}] POST {path} {form:?}", self.label);
        self.send(
            self.client.post(format!("{}{path}", self.base)).form(form),
            what,
        )
        .await
    }

    async fn send(&self, req: reqwest::RequestBuilder, what: String) -> Page {
        let resp = req.send().await.unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .text()
            .await
            .unwrap_or_else(|e| panic!("{what}: reading body: {e}"));
        Page {
            what,
            status,
            headers,
            body,
        }
    }

    /// Opens the login form and submits it; answers the submission's answer.
    async fn login(&self, login: &str, password: &str) -> Page {
        let form = self.get("/login").await.status(200);
        let csrf = form.csrf();
        self.post(
            "/login",
            &[
                ("login", login),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/customers"),
            ],
        )
        .await
    }

    /// The session's CSRF token, read from a page's logout form.
    pub(crate) async fn csrf(&self) -> String {
        self.get("/customers").await.status(200).csrf()
    }
}

/// A client logged in as `login` (password [`PASSWORD`]).
pub(crate) async fn signed_in(app: &TestApp, login: &str) -> Web {
    let web = Web::new(app);
    let r = web.login(login, PASSWORD).await.status(303);
    assert_eq!(r.location(), "/customers", "{}", r.what);
    web
}

impl Page {
    #[track_caller]
    pub(crate) fn status(self, code: u16) -> Page {
        assert_eq!(
            self.status.as_u16(),
            code,
            "{}: unexpected status; body:\n{}",
            self.what,
            self.body
        );
        self
    }

    pub(crate) fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The text of every element matching `css`, whitespace collapsed.
    pub(crate) fn texts(&self, css: &str) -> Vec<String> {
        let sel = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css:?}: {e:?}"));
        self.html()
            .select(&sel)
            .map(|e| e.text().collect::<Vec<_>>().join(" "))
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// The text of the first element matching `css`; panics when there is none.
    #[track_caller]
    pub(crate) fn text(&self, css: &str) -> String {
        self.texts(css)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{}: nothing matches {css:?} in:\n{}", self.what, self.body))
    }

    pub(crate) fn count(&self, css: &str) -> usize {
        self.texts(css).len()
    }

    /// Attribute `name` of every element matching `css` that has it.
    pub(crate) fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        let sel = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css:?}: {e:?}"));
        self.html()
            .select(&sel)
            .filter_map(|e| e.value().attr(name).map(str::to_owned))
            .collect()
    }

    /// Attribute `name` of the first element matching `css`.
    pub(crate) fn attr(&self, css: &str, name: &str) -> Option<String> {
        let sel = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css:?}: {e:?}"));
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(name).map(str::to_owned))
    }

    /// The CSRF token of the page's first form.
    #[track_caller]
    pub(crate) fn csrf(&self) -> String {
        self.attr("input[name=csrf]", "value")
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| panic!("{}: no csrf field in:\n{}", self.what, self.body))
    }

    /// The `Location` header of a redirect.
    #[track_caller]
    pub(crate) fn location(&self) -> String {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{}: no Location header", self.what))
            .to_owned()
    }

    /// The `Set-Cookie` header that sets cookie `name`, if any.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// Asserts the error page of a refused CSRF token.
    #[track_caller]
    fn assert_csrf_refused(self) {
        let p = self.status(403);
        assert_eq!(p.text("#error-title"), zh("error.title"), "{}", p.what);
        assert_eq!(p.text("#error-message"), zh("error.csrf"), "{}", p.what);
    }
}

/// A state-changing form: who posts it, where, and its fields other than `csrf`.
struct Form<'a> {
    web: &'a Web,
    path: String,
    fields: Vec<(&'a str, &'a str)>,
}

impl Form<'_> {
    /// Posts the form with `csrf` (`None`: without the field).
    async fn submit(&self, csrf: Option<&str>) -> Page {
        let mut fields = self.fields.clone();
        if let Some(c) = csrf {
            fields.push(("csrf", c));
        }
        self.web.post(&self.path, &fields).await
    }
}

/// The attributes of a `Set-Cookie` value after `name=value`, lower-cased.
fn cookie_attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

/// The value a `Set-Cookie` header sets.
fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap_or_default();
    pair.split_once('=')
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

/// The owner's id of customer `id` (read as `admin` over the API), `None` in the pool.
async fn owner_of(app: &TestApp, admin: &TestUser, id: i64) -> Option<i64> {
    let r = app
        .get(admin, &format!("/api/v1/customers/{id}"))
        .await
        .assert_status(200);
    r.body["owner"]["id"].as_i64()
}
