//! Forms: CSRF on every state-changing one, errors that keep the input.

use super::*;
use crate::harness::{PASSWORD, TestApp, id_of, zh};
use kehu_domain::Role;
use kehu_testkit::BACKENDS;

#[tokio::test]
async fn every_state_changing_form_rejects_a_missing_or_wrong_csrf() {
    for backend in BACKENDS {
        let o = Org::start(backend).await;
        let app = &o.app;
        let owned = id_of(&app.customer(&o.rep_a, "苏州华星精密", "13800138001").await);
        let pool = app
            .pool_customer(&o.rep_a, "无锡远景机电", "13800138002")
            .await;
        let a = signed_in(app, "rep_a").await;
        let b = signed_in(app, "rep_b").await;
        let m = signed_in(app, "mgr_east").await;
        let admin = signed_in(app, "admin").await;
        let b_csrf = b.csrf().await;
        let (rep_a, rep_b) = (o.rep_a.id.to_string(), o.rep_b.id.to_string());
        let dest_b = format!("rep:{rep_b}");

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
                fields: vec![("dest", &dest_b), ("reason", "离职交接")],
            },
            Form {
                web: &a,
                path: format!("/customers/{owned}/deals"),
                fields: vec![("title", "年度维保")],
            },
            Form {
                web: &a,
                path: "/leave".to_owned(),
                fields: vec![("from", "2026-12-01"), ("until", "2026-12-05")],
            },
            Form {
                web: &m,
                path: format!("/team/{rep_a}/leaves"),
                fields: vec![("from", "2026-12-01"), ("until", "2026-12-05")],
            },
            Form {
                web: &admin,
                path: "/admin/lead-sources".to_owned(),
                fields: vec![("code", "web"), ("name", "官网表单")],
            },
            Form {
                web: &admin,
                path: "/admin/rules/protection".to_owned(),
                fields: vec![("scope", "grade:A")],
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
        // The forms added after `transfer_all` are accepted in their own tests.
        let [create, claim, release, transfer, transfer_all, .., logout] = &forms;
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
        let started = transfer_all.submit(Some(&m_csrf)).await.status(303);
        super::team::wait_for_handover(&m, &started.location()).await;
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
