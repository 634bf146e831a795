//! The follow-up form: errors keep the input, a saved follow-up says whether it counts and
//! shows on the customer page with its reason, other reps cannot reach it.

use super::{Web, signed_in};
use crate::harness::{Org, fresh_phone, id_of, zh};
use kehu_testkit::BACKENDS;

#[tokio::test]
async fn a_follow_up_is_logged_from_the_form_and_shown_with_its_verdict() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await);
        let web = signed_in(app, "rep_a").await;
        let form = web
            .get(&format!("/customers/{id}/follow-ups/new"))
            .await
            .status(200);
        assert_eq!(
            form.count("#follow-up input[name=kind]"),
            6,
            "{}",
            form.what
        );
        let csrf = form.csrf();
        let path = format!("/customers/{id}/follow-ups");

        let bad = web
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("kind", ""),
                    ("content", " "),
                    ("tags", "价格敏感"),
                ],
            )
            .await
            .status(422);
        assert_eq!(
            bad.text("#error-kind"),
            zh("error.kind_invalid"),
            "{}",
            bad.what
        );
        assert_eq!(
            bad.text("#error-content"),
            zh("error.required"),
            "{}",
            bad.what
        );
        assert_eq!(
            bad.attr("input[name=tags]", "value").as_deref(),
            Some("价格敏感"),
            "{}",
            bad.what
        );

        let saved = web
            .post(
                &path,
                &[("csrf", &csrf), ("kind", "note"), ("content", "已联系")],
            )
            .await
            .status(303);
        assert_eq!(
            saved.location(),
            format!("/customers/{id}?flash=follow_up_not_effective")
        );
        let page = web.get(&saved.location()).await.status(200);
        assert_eq!(
            page.text(".flash"),
            zh("customer.follow_up_not_effective"),
            "{}",
            page.what
        );
        // A short note does not extend the 15-day protection of a new owner.
        let protection = page.text("#protection");
        let head = zh("follow_up.protected_until");
        let head = head.split('{').next().unwrap_or_default();
        assert!(protection.starts_with(head), "{}: {protection}", page.what);
        assert!(
            protection.contains("（已延长 0 次）"),
            "{}: {protection}",
            page.what
        );
        let row = page.text("#follow-ups li");
        assert!(row.contains("已联系"), "{}: {row}", page.what);
        assert!(
            row.contains(&zh("follow_up.unmet_content_shorter_than").replace("{min}", "15")),
            "{}: {row}",
            page.what
        );
    }
}

#[tokio::test]
async fn other_reps_cannot_open_the_follow_up_form() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let id = id_of(
            &o.app
                .customer(&o.rep_a, "常州永信机械", &fresh_phone())
                .await,
        );
        let web: Web = signed_in(&o.app, "rep_b").await;
        web.get(&format!("/customers/{id}/follow-ups/new"))
            .await
            .status(404);
    }
}

#[tokio::test]
async fn an_admin_edits_the_rules_on_a_page_and_bad_numbers_are_named() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let admin = signed_in(app, "admin").await;
        let page = admin.get("/admin/rules").await.status(200);
        assert_eq!(
            page.attr("input[name=\"note.min_chars\"]", "value")
                .as_deref(),
            Some("15"),
            "{}",
            page.what
        );
        let csrf = page.csrf();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        let kinds = ["call", "visit", "wechat", "email", "meeting", "note"];
        let names: Vec<(String, String)> = kinds
            .iter()
            .flat_map(|k| {
                [
                    (format!("{k}.min_chars"), "0".to_owned()),
                    (format!("{k}.min_duration_secs"), "0".to_owned()),
                ]
            })
            .collect();
        for (n, v) in &names {
            form.push((n, v));
        }
        form.extend([
            ("initial_days", "10"),
            ("extend_days", "5"),
            ("cap_days", "30"),
        ]);
        let mut bad = form.clone();
        bad.retain(|(k, _)| *k != "note.min_chars");
        bad.push(("note.min_chars", "十五"));
        let r = admin.post("/admin/rules", &bad).await.status(422);
        assert_eq!(
            r.text("[id=\"error-note.min_chars\"]"),
            zh("error.number_invalid"),
            "{}",
            r.what
        );
        assert_eq!(
            r.attr("input[name=\"note.min_chars\"]", "value").as_deref(),
            Some("十五")
        );
        let saved = admin.post("/admin/rules", &form).await.status(303);
        assert_eq!(saved.location(), "/admin/rules?flash=rules_saved");
        let rules = app
            .get(&o.rep_a, "/api/v1/settings/protection-periods")
            .await
            .assert_status(200);
        assert_eq!(rules.body["default"]["initial_days"], 10, "{b:?}");
        let rep = signed_in(app, "rep_a").await;
        rep.get("/admin/rules").await.status(403);
    }
}
