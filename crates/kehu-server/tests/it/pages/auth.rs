//! Logging in and out: cookies, redirects, throttling.

use super::*;
use crate::harness::{PASSWORD, TestApp, ui_fmt, zh};
use kehu_domain::Role;
use kehu_testkit::BACKENDS;
use reqwest::StatusCode;

#[tokio::test]
async fn login_sets_an_http_only_same_site_cookie_and_a_wrong_password_is_401() {
    for backend in BACKENDS {
        let o = Org::start(backend).await;
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
