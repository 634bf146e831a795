//! Server-rendered pages over plain HTTP (no browser): a cookie-keeping client per user,
//! answers read with `scraper` CSS selectors, on both engines. Login and its cookie, the
//! login redirect and where it may lead, CSRF on every form, 404 for other reps' customers,
//! masking in the pool, the team page, login throttling, logout, the timeline, the flash
//! allow-list, escaping, and the new-customer form's errors.

use crate::harness::{PASSWORD, TestApp, TestUser, id_of, ui_fmt, zh};
use kehu_domain::Role;
use kehu_testkit::{BACKENDS, Backend};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use scraper::{Html, Selector};

/// A browser stand-in: one cookie jar, redirects not followed (so they can be checked).
struct Web {
    base: String,
    label: String,
    client: reqwest::Client,
}

/// One page answer.
struct Page {
    /// What was asked, for messages: `[Sqlite] GET /customers`.
    what: String,
    status: StatusCode,
    headers: HeaderMap,
    body: String,
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

    async fn get(&self, path: &str) -> Page {
        let what = format!("[{}] GET {path}", self.label);
        self.send(self.client.get(format!("{}{path}", self.base)), what)
            .await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
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
    async fn csrf(&self) -> String {
        self.get("/customers").await.status(200).csrf()
    }
}

/// A client logged in as `login` (password [`PASSWORD`]).
async fn signed_in(app: &TestApp, login: &str) -> Web {
    let web = Web::new(app);
    let r = web.login(login, PASSWORD).await.status(303);
    assert_eq!(r.location(), "/customers", "{}", r.what);
    web
}

impl Page {
    #[track_caller]
    fn status(self, code: u16) -> Page {
        assert_eq!(
            self.status.as_u16(),
            code,
            "{}: unexpected status; body:\n{}",
            self.what,
            self.body
        );
        self
    }

    fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The text of every element matching `css`, whitespace collapsed.
    fn texts(&self, css: &str) -> Vec<String> {
        let sel = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css:?}: {e:?}"));
        self.html()
            .select(&sel)
            .map(|e| e.text().collect::<Vec<_>>().join(" "))
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// The text of the first element matching `css`; panics when there is none.
    #[track_caller]
    fn text(&self, css: &str) -> String {
        self.texts(css)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{}: nothing matches {css:?} in:\n{}", self.what, self.body))
    }

    fn count(&self, css: &str) -> usize {
        self.texts(css).len()
    }

    /// Attribute `name` of the first element matching `css`.
    fn attr(&self, css: &str, name: &str) -> Option<String> {
        let sel = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css:?}: {e:?}"));
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(name).map(str::to_owned))
    }

    /// The CSRF token of the page's first form.
    #[track_caller]
    fn csrf(&self) -> String {
        self.attr("input[name=csrf]", "value")
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| panic!("{}: no csrf field in:\n{}", self.what, self.body))
    }

    /// The `Location` header of a redirect.
    #[track_caller]
    fn location(&self) -> String {
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

struct Org {
    app: TestApp,
    rep_a: TestUser,
    rep_b: TestUser,
    south_rep: TestUser,
    admin: TestUser,
}

/// 总部 (admin) ⊃ 华东 (rep_a, rep_b, mgr_east) and 华南 (rep_south).
async fn org(backend: Backend) -> Org {
    let app = TestApp::start(backend).await;
    let root = app.team("总部", None).await;
    let east = app.team("华东", Some(root)).await;
    let south = app.team("华南", Some(root)).await;
    let rep_a = app.user("rep_a", Role::Rep, east).await;
    let rep_b = app.user("rep_b", Role::Rep, east).await;
    app.user("mgr_east", Role::Manager, east).await;
    let south_rep = app.user("rep_south", Role::Rep, south).await;
    let admin = app.user("admin", Role::Admin, root).await;
    Org {
        app,
        rep_a,
        rep_b,
        south_rep,
        admin,
    }
}

/// The owner's id of customer `id` (read as `admin` over the API), `None` in the pool.
async fn owner_of(app: &TestApp, admin: &TestUser, id: i64) -> Option<i64> {
    let r = app
        .get(admin, &format!("/api/v1/customers/{id}"))
        .await
        .assert_status(200);
    r.body["owner"]["id"].as_i64()
}

#[tokio::test]
async fn login_sets_an_http_only_same_site_cookie_and_a_wrong_password_is_401() {
    for backend in BACKENDS {
        let o = org(backend).await;
        let web = Web::new(&o.app);

        let form = web.get("/login").await.status(200);
        assert!(form.count("#login-submit") == 1, "{}", form.what);
        let login_csrf = form
            .set_cookie("kehu_login_csrf")
            .unwrap_or_else(|| panic!("{}: no login CSRF cookie", form.what));
        assert!(
            cookie_attributes(&login_csrf).contains(&"httponly".to_owned()),
            "{login_csrf}"
        );

        // Wrong password, then an unknown login: the same 401 page, the login kept.
        for (login, password) in [("rep_a", "not-the-password"), ("nobody", PASSWORD)] {
            let csrf = web.get("/login").await.status(200).csrf();
            let r = web
                .post(
                    "/login",
                    &[("login", login), ("password", password), ("csrf", &csrf)],
                )
                .await
                .status(401);
            assert_eq!(r.text("#login-error"), zh("login.failed"), "{}", r.what);
            assert_eq!(
                r.attr("input[name=login]", "value").as_deref(),
                Some(login),
                "{}: the typed login is kept",
                r.what
            );
            assert!(r.set_cookie("kehu_session").is_none(), "{}", r.what);
            assert_eq!(r.count("#who"), 0, "{}: not logged in", r.what);
        }

        // The right password: a session cookie the page's scripts cannot read.
        let csrf = web.get("/login").await.status(200).csrf();
        let r = web
            .post(
                "/login",
                &[
                    ("login", "rep_a"),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                    ("next", "/customers?scope=pool"),
                ],
            )
            .await
            .status(303);
        assert_eq!(r.location(), "/customers?scope=pool", "{}", r.what);
        let session = r
            .set_cookie("kehu_session")
            .unwrap_or_else(|| panic!("{}: no session cookie", r.what));
        assert!(cookie_value(&session).len() >= 20, "{session}");
        let attrs = cookie_attributes(&session);
        assert!(attrs.contains(&"httponly".to_owned()), "{session}");
        assert!(
            attrs.contains(&"samesite=lax".to_owned())
                || attrs.contains(&"samesite=strict".to_owned()),
            "{session}: SameSite=Lax or Strict"
        );
        assert!(attrs.contains(&"path=/".to_owned()), "{session}");
        assert!(
            !attrs.contains(&"secure".to_owned()),
            "{session}: Secure only with --secure-cookies"
        );

        let list = web.get("/customers?scope=pool").await.status(200);
        assert_eq!(
            list.text("#who"),
            format!("{} · {}", o.rep_a.name, zh("role.rep")),
            "{}",
            list.what
        );
    }
}

#[tokio::test]
async fn anonymous_pages_redirect_to_login_with_next() {
    for backend in BACKENDS {
        let app = TestApp::start(backend).await;
        let team = app.team("华东", None).await;
        app.user("rep_a", Role::Rep, team).await;
        let web = Web::new(&app);
        for (path, next) in [
            ("/customers", "%2Fcustomers"),
            ("/customers?scope=pool", "%2Fcustomers%3Fscope%3Dpool"),
            ("/customers/new", "%2Fcustomers%2Fnew"),
            ("/customers/1", "%2Fcustomers%2F1"),
            ("/team", "%2Fteam"),
        ] {
            let r = web.get(path).await.status(303);
            let location = r.location();
            assert_eq!(location, format!("/login?next={next}"), "{}", r.what);

            // The login form carries `next` and sends the user there afterwards.
            let form = web.get(&location).await.status(200);
            assert_eq!(
                form.attr("input[name=next]", "value").as_deref(),
                Some(path),
                "{}",
                form.what
            );
        }
        let csrf = web.get("/login?next=%2Fcustomers%2Fnew").await.csrf();
        let r = web
            .post(
                "/login",
                &[
                    ("login", "rep_a"),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                    ("next", "/customers/new"),
                ],
            )
            .await
            .status(303);
        assert_eq!(r.location(), "/customers/new", "{}", r.what);
    }
}

#[tokio::test]
async fn login_never_redirects_to_another_site() {
    for backend in BACKENDS {
        let app = TestApp::start(backend).await;
        let team = app.team("华东", None).await;
        app.user("rep_a", Role::Rep, team).await;
        // Another site is never a `next`: wherever a browser would go with the redirect
        // (WHATWG URL parsing, which drops tabs and newlines and reads `\` as `/`), it
        // stays on this server.
        let base = reqwest::Url::parse(&app.bases[0]).expect("base URL");
        let mut off_site = Vec::new();
        for evil in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example/",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "\t//evil.example/",
        ] {
            let web = Web::new(&app);
            let csrf = web.get("/login").await.csrf();
            let r = web
                .post(
                    "/login",
                    &[
                        ("login", "rep_a"),
                        ("password", PASSWORD),
                        ("csrf", &csrf),
                        ("next", evil),
                    ],
                )
                .await;
            let target = r
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| base.join(l).ok());
            if r.status != StatusCode::SEE_OTHER
                || target.as_ref().and_then(|t| t.host_str()) != base.host_str()
            {
                off_site.push(format!(
                    "next={evil:?}: {} to {:?}",
                    r.status,
                    target.map(|t| t.to_string())
                ));
            }
        }
        assert!(
            off_site.is_empty(),
            "[{}] after login, `next` must redirect within this site:\n{}",
            app.label(),
            off_site.join("\n")
        );
    }
}

#[tokio::test]
async fn every_state_changing_form_rejects_a_missing_or_wrong_csrf() {
    for backend in BACKENDS {
        let o = org(backend).await;
        let app = &o.app;
        let owned = id_of(&app.customer(&o.rep_a, "苏州华星精密", "13800138001").await);
        let pool = app
            .pool_customer(&o.rep_a, "无锡远景机电", "13800138002")
            .await;
        let a = signed_in(app, "rep_a").await;
        let b = signed_in(app, "rep_b").await;
        let m = signed_in(app, "mgr_east").await;
        let b_csrf = b.csrf().await;
        let (rep_a, rep_b) = (o.rep_a.id.to_string(), o.rep_b.id.to_string());

        let forms = [
            Form {
                web: &a,
                path: "/customers".to_owned(),
                fields: vec![
                    ("name", "杭州云帆科技"),
                    ("phone", "13800138003"),
                    ("source", "web"),
                ],
            },
            Form {
                web: &b,
                path: format!("/customers/{pool}/claim"),
                fields: vec![],
            },
            Form {
                web: &a,
                path: format!("/customers/{owned}/release"),
                fields: vec![("reason", "客户暂无预算")],
            },
            Form {
                web: &m,
                path: format!("/customers/{owned}/transfer"),
                fields: vec![("to", &rep_b), ("reason", "调整分工")],
            },
            Form {
                web: &m,
                path: format!("/team/{rep_a}/transfer-all"),
                fields: vec![("to", &rep_b), ("reason", "离职交接")],
            },
            Form {
                web: &a,
                path: "/logout".to_owned(),
                fields: vec![],
            },
        ];
        for form in &forms {
            form.submit(None).await.assert_csrf_refused();
            for wrong in ["", "wrong", b_csrf.as_str()] {
                // B's own token is right for B's form.
                if std::ptr::eq(form.web, &b) && wrong == b_csrf {
                    continue;
                }
                form.submit(Some(wrong)).await.assert_csrf_refused();
            }
        }

        // Nothing changed: no new customer, owners as before, A still logged in.
        assert_eq!(app.list_ids(&o.rep_a, "scope=mine").await, vec![owned]);
        assert_eq!(owner_of(app, &o.admin, owned).await, Some(o.rep_a.id));
        assert_eq!(owner_of(app, &o.admin, pool).await, None);
        a.get("/customers").await.status(200);

        // The same forms with the session's token go through (in an order that keeps
        // each one allowed).
        let a_csrf = a.csrf().await;
        let m_csrf = m.csrf().await;
        let [create, claim, release, transfer, transfer_all, logout] = &forms;
        create.submit(Some(&a_csrf)).await.status(303);
        claim.submit(Some(&b_csrf)).await.status(303);
        assert_eq!(owner_of(app, &o.admin, pool).await, Some(o.rep_b.id));
        release.submit(Some(&a_csrf)).await.status(303);
        assert_eq!(owner_of(app, &o.admin, owned).await, None);
        // A takes it back, so the manager has something to transfer.
        a.post(&format!("/customers/{owned}/claim"), &[("csrf", &a_csrf)])
            .await
            .status(303);
        transfer.submit(Some(&m_csrf)).await.status(303);
        assert_eq!(owner_of(app, &o.admin, owned).await, Some(o.rep_b.id));
        // The customer A created above.
        transfer_all.submit(Some(&m_csrf)).await.status(200);
        assert!(app.list_ids(&o.rep_a, "scope=mine").await.is_empty());
        logout.submit(Some(&a_csrf)).await.status(303);
        let r = a.get("/customers").await.status(303);
        assert_eq!(r.location(), "/login?next=%2Fcustomers", "{}", r.what);

        // The login form has its own token (double submit: cookie and field).
        let web = Web::new(app);
        let fresh = web.get("/login").await.status(200).csrf();
        for csrf in ["", "wrong"] {
            web.post(
                "/login",
                &[("login", "rep_a"), ("password", PASSWORD), ("csrf", csrf)],
            )
            .await
            .assert_csrf_refused();
        }
        let other = Web::new(app);
        let r = other
            .post(
                "/login",
                &[("login", "rep_a"), ("password", PASSWORD), ("csrf", &fresh)],
            )
            .await;
        assert!(r.set_cookie("kehu_session").is_none(), "{}", r.what);
        r.assert_csrf_refused();
    }
}

#[tokio::test]
async fn another_reps_customer_page_is_the_not_found_page() {
    for backend in BACKENDS {
        let o = org(backend).await;
        let app = &o.app;
        let name = "苏州华星精密";
        let id = id_of(&app.customer(&o.rep_a, name, "13800138000").await);
        let a = signed_in(app, "rep_a").await;
        let page = a.get(&format!("/customers/{id}")).await.status(200);
        assert_eq!(page.text("#phone"), "13800138000", "{}", page.what);

        let missing = 987_654_321;
        for login in ["rep_b", "rep_south"] {
            let web = signed_in(app, login).await;
            let theirs = web.get(&format!("/customers/{id}")).await.status(404);
            let none = web.get(&format!("/customers/{missing}")).await.status(404);
            for p in [&theirs, &none] {
                assert_eq!(
                    p.text("#error-title"),
                    zh("customer.not_found_title"),
                    "{}",
                    p.what
                );
                assert_eq!(
                    p.text("#error-message"),
                    zh("customer.not_found_body"),
                    "{}",
                    p.what
                );
                assert_eq!(p.count("#customer-name"), 0, "{}", p.what);
            }
            assert_eq!(
                theirs.body, none.body,
                "{}: another rep's customer must look exactly like a missing one",
                theirs.what
            );
            for secret in [name, "13800138000", "138****8000", "+8613800138000"] {
                assert!(
                    !theirs.body.contains(secret),
                    "{}: page reveals {secret:?}",
                    theirs.what
                );
            }
            for scope in ["mine", "pool", "shared"] {
                let list = web
                    .get(&format!("/customers?scope={scope}&q=%E8%8B%8F%E5%B7%9E"))
                    .await
                    .status(200);
                assert_eq!(list.count("tr[data-id]"), 0, "{}", list.what);
                assert!(!list.body.contains(name), "{}", list.what);
            }
        }
    }
}

#[tokio::test]
async fn pool_list_shows_masked_phones_for_everyone() {
    for backend in BACKENDS {
        let o = org(backend).await;
        let app = &o.app;
        let id = app
            .pool_customer(&o.rep_a, "无锡远景机电", "138-0013-8000")
            .await;
        // The former owner, another rep, another team's rep, a manager and the admin.
        for login in ["rep_a", "rep_b", "rep_south", "mgr_east", "admin"] {
            let web = signed_in(app, login).await;
            let list = web.get("/customers?scope=pool").await.status(200);
            let row = format!("#customers tr[data-id=\"{id}\"]");
            assert_eq!(
                list.text(&format!("{row} a.customer-link")),
                "无锡远景机电",
                "{login}: {}",
                list.what
            );
            assert_eq!(
                list.text(&format!("{row} td.phone")),
                "138****8000",
                "{login}: {}",
                list.what
            );
            assert!(!list.body.contains("13800138000"), "{login}: {}", list.what);

            let page = web.get(&format!("/customers/{id}")).await.status(200);
            assert_eq!(page.text("#phone"), "138****8000", "{login}: {}", page.what);
            assert_eq!(page.text("#owner"), zh("customer.in_pool"), "{}", page.what);
            assert_eq!(page.count("#claim"), 1, "{login}: {}", page.what);
            assert!(!page.body.contains("13800138000"), "{login}: {}", page.what);
        }
    }
}

#[tokio::test]
async fn a_managers_team_page_lists_members_with_owned_counts_and_a_rep_gets_404() {
    for backend in BACKENDS {
        let o = org(backend).await;
        let app = &o.app;
        app.customer(&o.rep_a, "苏州华星精密", "13800138001").await;
        app.customer(&o.rep_a, "无锡远景机电", "13800138002").await;
        app.customer(&o.south_rep, "广州南方建材", "13800138003")
            .await;

        let m = signed_in(app, "mgr_east").await;
        let team = m.get("/team").await.status(200);
        let owned =
            |login: &str| team.text(&format!("#members tr[data-login=\"{login}\"] td.owned"));
        assert_eq!(owned("rep_a"), "2", "{}", team.what);
        assert_eq!(owned("rep_b"), "0", "{}", team.what);
        assert_eq!(owned("mgr_east"), "0", "{}", team.what);
        assert_eq!(
            team.count("#members tr[data-login=\"rep_south\"]"),
            0,
            "{}: another team's rep is not listed",
            team.what
        );
        assert_eq!(
            team.count("#members tr[data-login=\"admin\"]"),
            0,
            "{}",
            team.what
        );
        assert!(
            team.texts("#members tr[data-login=\"rep_a\"] td")
                .iter()
                .any(|t| t.contains("用户rep_a")),
            "{}",
            team.what
        );
        assert_eq!(team.count("a[href=\"/team\"]"), 1, "{}: nav tab", team.what);

        let admin = signed_in(app, "admin").await;
        let all = admin.get("/team").await.status(200);
        assert_eq!(
            all.text("#members tr[data-login=\"rep_south\"] td.owned"),
            "1",
            "{}",
            all.what
        );

        let rep = signed_in(app, "rep_a").await;
        let r = rep.get("/team").await.status(404);
        assert_eq!(r.count("#error-title"), 1, "{}", r.what);
        assert_eq!(r.count("#members"), 0, "{}", r.what);
        let list = rep.get("/customers").await.status(200);
        assert_eq!(
            list.count("a[href=\"/team\"]"),
            0,
            "{}: no team tab",
            list.what
        );
    }
}

#[tokio::test]
async fn the_sixth_login_after_five_wrong_passwords_is_throttled_even_when_right() {
    for backend in BACKENDS {
        let app = TestApp::start(backend).await;
        let team = app.team("华东", None).await;
        app.user("rep_a", Role::Rep, team).await;
        app.user("rep_b", Role::Rep, team).await;
        let web = Web::new(&app);
        for i in 0..5 {
            let r = web.login("rep_a", &format!("wrong-{i}")).await.status(401);
            assert_eq!(r.text("#login-error"), zh("login.failed"), "{}", r.what);
        }
        let r = web.login("rep_a", PASSWORD).await.status(429);
        assert_eq!(
            r.text("#login-error"),
            ui_fmt("zh-CN", "login.throttled", &[("minutes", "15")]),
            "{}",
            r.what
        );
        assert!(r.set_cookie("kehu_session").is_none(), "{}", r.what);
        // The login is spelled differently but is the same account.
        web.login(" REP_A ", PASSWORD).await.status(429);

        // Throttling is per login: another account still gets in.
        signed_in(&app, "rep_b").await;
    }
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    for backend in BACKENDS {
        let app = TestApp::start(backend).await;
        let team = app.team("华东", None).await;
        app.user("rep_a", Role::Rep, team).await;
        let web = Web::new(&app);
        let r = web.login("rep_a", PASSWORD).await.status(303);
        let token = cookie_value(
            &r.set_cookie("kehu_session")
                .unwrap_or_else(|| panic!("{}: no session cookie", r.what)),
        );

        // A client that only knows the old cookie value, as a thief would.
        let replay = || {
            let mut headers = HeaderMap::new();
            headers.insert(
                reqwest::header::COOKIE,
                format!("kehu_session={token}").parse().expect("header"),
            );
            Web::with_client(
                &app,
                reqwest::Client::builder()
                    .default_headers(headers)
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .expect("http client"),
            )
        };
        replay().get("/customers").await.status(200);

        let csrf = web.csrf().await;
        let out = web.post("/logout", &[("csrf", &csrf)]).await.status(303);
        assert_eq!(out.location(), "/login", "{}", out.what);
        let removal = out
            .set_cookie("kehu_session")
            .unwrap_or_else(|| panic!("{}: the cookie is not removed", out.what));
        assert!(cookie_value(&removal).is_empty(), "{removal}");

        for web in [web, replay()] {
            let r = web.get("/customers").await.status(303);
            assert_eq!(r.location(), "/login?next=%2Fcustomers", "{}", r.what);
        }
    }
}

#[tokio::test]
async fn the_timeline_lists_create_release_and_claim() {
    for backend in BACKENDS {
        let o = org(backend).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", "13800138000").await);

        let a = signed_in(app, "rep_a").await;
        let csrf = a.csrf().await;
        let r = a
            .post(
                &format!("/customers/{id}/release"),
                &[("csrf", &csrf), ("reason", "客户暂无预算")],
            )
            .await
            .status(303);
        assert_eq!(
            r.location(),
            format!("/customers/{id}?flash=released"),
            "{}",
            r.what
        );
        let released = a.get(&r.location()).await.status(200);
        assert_eq!(
            released.text("#flash"),
            zh("customer.released"),
            "{}",
            released.what
        );

        let b = signed_in(app, "rep_b").await;
        let csrf = b.csrf().await;
        let r = b
            .post(&format!("/customers/{id}/claim"), &[("csrf", &csrf)])
            .await
            .status(303);
        assert_eq!(
            r.location(),
            format!("/customers/{id}?flash=claimed"),
            "{}",
            r.what
        );
        let page = b.get(&r.location()).await.status(200);
        assert_eq!(page.text("#flash"), zh("customer.claimed"), "{}", page.what);
        assert_eq!(page.text("#owner"), o.rep_b.name, "{}", page.what);
        assert_eq!(page.text("#phone"), "13800138000", "{}", page.what);

        let (a_name, b_name) = (o.rep_a.name.as_str(), o.rep_b.name.as_str());
        let create = ui_fmt("zh-CN", "ledger.create", &[("by", a_name), ("to", a_name)]);
        let release = ui_fmt(
            "zh-CN",
            "ledger.release",
            &[("by", a_name), ("from", a_name)],
        );
        let claim = ui_fmt("zh-CN", "ledger.claim", &[("by", b_name), ("to", b_name)]);
        // Newest first.
        assert_eq!(
            page.texts("#timeline li.event .event-text"),
            vec![claim, release.clone(), create],
            "{}",
            page.what
        );
        assert_eq!(page.count("#timeline li.event time"), 3, "{}", page.what);
        let reason = ui_fmt("zh-CN", "ledger.reason", &[("reason", "客户暂无预算")]);
        let release_item = page
            .texts("#timeline li.event")
            .into_iter()
            .find(|t| t.contains(&release))
            .unwrap_or_default();
        assert!(
            release_item.contains(&reason),
            "{}: the release shows its reason: {release_item:?}",
            page.what
        );
    }
}

#[tokio::test]
async fn a_flash_that_is_not_on_the_allow_list_shows_nothing() {
    for backend in BACKENDS {
        let app = TestApp::start(backend).await;
        let team = app.team("华东", None).await;
        let rep = app.user("rep_a", Role::Rep, team).await;
        let id = id_of(&app.customer(&rep, "苏州华星精密", "13800138000").await);
        let web = signed_in(&app, "rep_a").await;
        let script = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";
        for path in [
            format!("/customers/{id}?flash={script}"),
            format!("/customers?flash={script}"),
            format!("/customers/{id}?flash=customer.not_found_title"),
        ] {
            let p = web.get(&path).await.status(200);
            assert_eq!(p.count("#flash"), 0, "{}", p.what);
            assert_eq!(p.count("script"), 0, "{}", p.what);
            assert!(!p.body.contains("alert(1)"), "{}", p.what);
        }
        let p = web
            .get(&format!("/customers/{id}?flash=claimed"))
            .await
            .status(200);
        assert_eq!(p.text("#flash"), zh("customer.claimed"), "{}", p.what);
    }
}

#[tokio::test]
async fn markup_in_a_customer_name_is_shown_as_text() {
    for backend in BACKENDS {
        let app = TestApp::start(backend).await;
        let team = app.team("华东", None).await;
        let rep = app.user("rep_a", Role::Rep, team).await;
        let name = "<img src=x onerror=alert(1)>华星";
        let id = id_of(&app.customer(&rep, name, "13800138000").await);
        let web = signed_in(&app, "rep_a").await;
        for path in [format!("/customers/{id}"), "/customers".to_owned()] {
            let p = web.get(&path).await.status(200);
            assert_eq!(p.count("img"), 0, "{}", p.what);
            assert_eq!(p.count("script"), 0, "{}", p.what);
            let shown = if path == "/customers" {
                p.text(&format!("tr[data-id=\"{id}\"] a.customer-link"))
            } else {
                p.text("#customer-name")
            };
            assert_eq!(shown, name, "{}", p.what);
        }
    }
}

#[tokio::test]
async fn a_bad_new_customer_form_is_422_with_field_errors_and_keeps_the_input() {
    for backend in BACKENDS {
        let app = TestApp::start(backend).await;
        let team = app.team("华东", None).await;
        let rep = app.user("rep_a", Role::Rep, team).await;
        let web = signed_in(&app, "rep_a").await;
        let form = web.get("/customers/new").await.status(200);
        let csrf = form.csrf();
        assert_eq!(form.count("#new-customer"), 1, "{}", form.what);
        let r = web
            .post(
                "/customers",
                &[
                    ("csrf", &csrf),
                    ("name", "杭州云帆科技"),
                    ("phone", "12345"),
                    ("source", ""),
                    ("intent", "medium"),
                ],
            )
            .await
            .status(422);
        assert_eq!(
            r.text(".field.invalid #phone ~ #error-phone"),
            zh("error.phone_invalid"),
            "{}",
            r.what
        );
        assert_eq!(r.text("#error-source"), zh("error.required"), "{}", r.what);
        assert_eq!(r.count("#error-name"), 0, "{}", r.what);
        assert_eq!(
            r.attr("input[name=name]", "value").as_deref(),
            Some("杭州云帆科技"),
            "{}",
            r.what
        );
        assert_eq!(
            r.attr("input[name=phone]", "value").as_deref(),
            Some("12345"),
            "{}",
            r.what
        );
        assert!(app.list_ids(&rep, "scope=mine").await.is_empty());
    }
}
