//! Customer pages: 404s, masking, the team page, the timeline, flash and escaping.

use super::*;
use crate::harness::{TestApp, id_of, ui_fmt, zh};
use kehu_domain::Role;
use kehu_testkit::BACKENDS;

#[tokio::test]
async fn another_reps_customer_page_is_the_not_found_page() {
    for backend in BACKENDS {
        let o = Org::start(backend).await;
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
        let o = Org::start(backend).await;
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
        let o = Org::start(backend).await;
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
async fn the_timeline_lists_create_release_and_claim() {
    for backend in BACKENDS {
        let o = Org::start(backend).await;
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
