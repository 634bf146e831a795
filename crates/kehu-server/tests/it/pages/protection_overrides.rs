//! `/admin/rules`: the protection period per source and per grade — listed, added, changed
//! and removed on the page, bad input shown at its field with the input kept, every change
//! in the audit log; admins only.

use super::{Form, Web, signed_in};
use crate::harness::{Org, zh};
use kehu_testkit::BACKENDS;
use serde_json::{Value, json};

/// The protection periods as the API answers them.
async fn stored(o: &Org) -> Value {
    o.app
        .get(&o.rep_a, "/api/v1/settings/protection-periods")
        .await
        .assert_status(200)
        .body
}

async fn post(web: &Web, csrf: &str, fields: &[(&str, &str)]) -> super::Page {
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    web.post("/admin/rules/protection", &form).await
}

const ADD_A: [(&str, &str); 5] = [
    ("adding", "1"),
    ("scope", "by_grade.A"),
    ("new.initial_days", "30"),
    ("new.extend_days", "10"),
    ("new.cap_days", "90"),
];

#[tokio::test]
async fn an_admin_adds_changes_and_removes_an_override_on_the_rules_page() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let admin = signed_in(&o.app, "admin").await;
        let page = admin.get("/admin/rules").await.status(200);
        assert_eq!(page.count("#no-overrides"), 1, "{b:?}");
        assert_eq!(
            page.count("#scope option"),
            7 + 3,
            "{b:?}: every source and grade"
        );
        let csrf = page.csrf();
        // Add.
        let added = post(&admin, &csrf, &ADD_A).await.status(303);
        assert_eq!(added.location(), "/admin/rules?flash=override_saved");
        let page = admin.get(&added.location()).await.status(200);
        assert_eq!(
            page.text("#flash"),
            zh("protection_overrides.saved"),
            "{b:?}"
        );
        let row = "form.override[data-scope='by_grade.A']";
        assert_eq!(page.text(&format!("{row} .scope")), "等级：A", "{b:?}");
        assert_eq!(
            page.attr(
                &format!("{row} input[name='by_grade.A.initial_days']"),
                "value"
            )
            .as_deref(),
            Some("30")
        );
        assert_eq!(page.count("#no-overrides"), 0);
        assert_eq!(
            stored(&o).await["by_grade"],
            json!([["A", {"initial_days": 30, "extend_days": 10, "cap_days": 90}]]),
            "{b:?}"
        );
        // Change.
        let change = [
            ("scope", "by_grade.A"),
            ("by_grade.A.initial_days", "20"),
            ("by_grade.A.extend_days", "10"),
            ("by_grade.A.cap_days", "90"),
            ("action", "save"),
        ];
        post(&admin, &csrf, &change).await.status(303);
        assert_eq!(
            stored(&o).await["by_grade"][0][1]["initial_days"],
            20,
            "{b:?}"
        );
        // Saving the main form keeps the override.
        let main = admin.get("/admin/rules").await.status(200);
        let mut fields: Vec<(String, String)> = Vec::new();
        for k in ["call", "visit", "wechat", "email", "meeting", "note"] {
            for f in ["min_chars", "min_duration_secs"] {
                let name = format!("{k}.{f}");
                let v = main
                    .attr(&format!("input[name='{name}']"), "value")
                    .unwrap_or_default();
                fields.push((name, v));
            }
        }
        for (f, v) in [
            ("initial_days", "12"),
            ("extend_days", "7"),
            ("cap_days", "60"),
        ] {
            fields.push((f.to_owned(), v.to_owned()));
        }
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        admin.post("/admin/rules", &form).await.status(303);
        let rules = stored(&o).await;
        assert_eq!(rules["default"]["initial_days"], 12, "{b:?}");
        assert_eq!(rules["by_grade"][0][1]["initial_days"], 20, "{b:?}");
        // Remove.
        let removed = post(
            &admin,
            &csrf,
            &[("scope", "by_grade.A"), ("action", "remove")],
        )
        .await
        .status(303);
        let page = admin.get(&removed.location()).await.status(200);
        assert_eq!(page.text("#flash"), zh("protection_overrides.removed"));
        assert_eq!(page.count("#no-overrides"), 1, "{b:?}");
        assert_eq!(stored(&o).await["by_grade"], json!([]), "{b:?}");
        // Every change is in the audit log, by the admin: add, change, main form, remove.
        let trail = o.app.setting_audit("protection_periods").await;
        assert_eq!(trail.len(), 4, "{b:?}: {trail:?}");
        assert!(trail.iter().all(|(by, _)| *by == o.admin.id), "{b:?}");
        assert!(
            trail[0].1.contains("\"by_grade\":[[\"A\""),
            "{b:?}: {trail:?}"
        );
    }
}

#[tokio::test]
async fn bad_override_input_is_shown_at_its_field_and_nothing_is_saved() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let admin = signed_in(&o.app, "admin").await;
        let csrf = admin.get("/admin/rules").await.status(200).csrf();
        let bad = [
            ("adding", "1"),
            ("scope", "by_source.douyin"),
            ("new.initial_days", "30"),
            ("new.extend_days", "七"),
            ("new.cap_days", "10"),
        ];
        let page = post(&admin, &csrf, &bad).await.status(422);
        assert_eq!(
            page.text("[id='error-new.extend_days']"),
            zh("error.number_invalid"),
            "{b:?}"
        );
        assert_eq!(
            page.attr("input[name='new.extend_days']", "value")
                .as_deref(),
            Some("七"),
            "{b:?}: input kept"
        );
        assert_eq!(
            page.attr("#scope option[selected]", "value").as_deref(),
            Some("by_source.douyin"),
            "{b:?}: the chosen source kept"
        );
        let mut below = bad;
        below[3] = ("new.extend_days", "7");
        let page = post(&admin, &csrf, &below).await.status(422);
        assert_eq!(
            page.text("[id='error-new.cap_days']"),
            zh("error.below_initial"),
            "{b:?}"
        );
        assert_eq!(
            stored(&o).await["by_source"],
            json!([]),
            "{b:?}: nothing saved"
        );
        // An override is added once; changing it happens in its row.
        post(&admin, &csrf, &ADD_A).await.status(303);
        let again = post(&admin, &csrf, &ADD_A).await.status(422);
        assert_eq!(
            again.text("#error-scope"),
            zh("error.override_exists"),
            "{b:?}"
        );
        let change = [
            ("scope", "by_grade.A"),
            ("by_grade.A.initial_days", "30"),
            ("by_grade.A.extend_days", "10"),
            ("by_grade.A.cap_days", "5"),
        ];
        let page = post(&admin, &csrf, &change).await.status(422);
        assert_eq!(
            page.text("[id='error-by_grade.A.cap_days']"),
            zh("error.below_initial"),
            "{b:?}"
        );
        assert_eq!(
            page.attr("input[name='by_grade.A.cap_days']", "value")
                .as_deref(),
            Some("5"),
            "{b:?}"
        );
        assert_eq!(stored(&o).await["by_grade"][0][1]["cap_days"], 90, "{b:?}");
        let unknown = post(
            &admin,
            &csrf,
            &[("scope", "by_grade.Z"), ("action", "remove")],
        )
        .await
        .status(422);
        assert_eq!(
            unknown.text("#error-scope"),
            zh("error.unknown_value"),
            "{b:?}"
        );
        assert_eq!(
            o.app.setting_audit("protection_periods").await.len(),
            1,
            "{b:?}: only the one good add"
        );
    }
}

#[tokio::test]
async fn only_admins_change_overrides_and_only_with_the_form_token() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        for login in ["rep_a", "mgr_east"] {
            let web = signed_in(&o.app, login).await;
            let csrf = web.csrf().await;
            post(&web, &csrf, &ADD_A).await.status(403);
        }
        let admin = signed_in(&o.app, "admin").await;
        let form = Form {
            web: &admin,
            path: "/admin/rules/protection".into(),
            fields: ADD_A.to_vec(),
        };
        form.submit(None).await.assert_csrf_refused();
        form.submit(Some("forged")).await.assert_csrf_refused();
        assert_eq!(stored(&o).await["by_grade"], json!([]), "{b:?}");
    }
}
