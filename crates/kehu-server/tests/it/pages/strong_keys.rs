//! `/admin/rules`, strong keys, and `/api/v1/settings/strong-keys`: an admin makes landlines
//! strong; while two customers share a switchboard the change is refused, naming them, with
//! the boxes as ticked; once they do not, it is saved, audited, and refuses the next save of
//! that number. Reps may read the setting, not change it.

use super::{Web, signed_in};
use crate::harness::{Org, TestApp, TestUser, id_of, ui_fmt, zh};
use kehu_testkit::BACKENDS;
use reqwest::Method;
use serde_json::{Value, json};

const API: &str = "/api/v1/settings/strong-keys";

/// Creates a customer as `user` that the check finds similar to one already stored,
/// confirming it is a different one.
async fn confirmed(app: &TestApp, user: &TestUser, name: &str, phone: &str) -> Value {
    let mut body = json!({ "name": name, "phone": phone, "source": "web" });
    let r = app.post(user, "/api/v1/customers", body.clone()).await;
    let r = r.assert_problem(409);
    body["confirm_distinct"] = json!([r.body["possible_duplicates"][0]["key"]]);
    app.post(user, "/api/v1/customers", body)
        .await
        .assert_status(201)
        .body
}

/// Posts the strong keys form with `ticked` boxes.
async fn save(web: &Web, csrf: &str, ticked: &[&str]) -> super::Page {
    let names: Vec<String> = ticked.iter().map(|k| format!("strong.{k}")).collect();
    let mut form = vec![("csrf", csrf)];
    form.extend(names.iter().map(|n| (n.as_str(), "on")));
    web.post("/admin/rules/strong-keys", &form).await
}

fn ticked(page: &super::Page) -> Vec<String> {
    page.attrs("#strong-keys input[type=checkbox][checked]", "name")
}

#[tokio::test]
async fn an_admin_makes_landlines_strong_once_no_two_customers_share_one() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let first = app.customer(&o.rep_a, "常州永信", "0519-8888 6666").await;
        let second = confirmed(app, &o.rep_b, "常州永信机械", "051988886666").await;
        assert_eq!(
            app.get(&o.rep_a, API).await.assert_status(200).body,
            json!({ "kinds": ["mobile", "credit_code"] }),
            "{b:?}: the default"
        );

        let admin = signed_in(app, "admin").await;
        let page = admin.get("/admin/rules").await.status(200);
        assert_eq!(
            ticked(&page),
            ["strong.mobile", "strong.credit_code"],
            "{b:?}"
        );
        let all = ["mobile", "landline", "credit_code"];
        let refused = save(&admin, &page.csrf(), &all).await.status(409);
        let names = ["常州永信", "常州永信机械"].join(&zh("fuzzy.separator"));
        let expected = ui_fmt(
            "zh-CN",
            "strong_keys.shared",
            &[
                ("kind", &zh("strong_keys.kind_landline")),
                ("count", "1"),
                ("value", "+8651988886666"),
                ("customers", &names),
            ],
        );
        assert!(
            refused.text("#error-strong_keys").starts_with(&expected),
            "{b:?}: {}",
            refused.text("#error-strong_keys")
        );
        assert_eq!(
            refused.attr("#error-strong_keys a", "href").as_deref(),
            Some("/customers/duplicates")
        );
        assert_eq!(
            ticked(&refused),
            ["strong.mobile", "strong.landline", "strong.credit_code"]
        );
        assert!(
            app.setting_audit("strong_keys").await.is_empty(),
            "{b:?}: nothing saved"
        );

        // The API says the same, with the customers' ids; a rep may not change it at all.
        let body = json!({ "kinds": all });
        app.send(&o.rep_a, Method::PUT, API, Some(&body))
            .await
            .assert_status(403);
        let r = app.send(&o.admin, Method::PUT, API, Some(&body)).await;
        let r = r.assert_problem(409);
        assert_eq!(r.fields(), ["kinds"], "{b:?}");
        assert_eq!(
            r.body["shared"]["customers"]
                .as_array()
                .map(|c| c.iter().map(|c| c["id"].as_i64()).collect::<Vec<_>>()),
            Some(vec![Some(id_of(&first)), Some(id_of(&second))]),
            "{b:?}: {}",
            r.body
        );
        app.send(
            &o.admin,
            Method::PUT,
            API,
            Some(&json!({ "kinds": ["fax"] })),
        )
        .await
        .assert_problem(422);

        // The second gets its own number; now the change is saved and audited.
        let path = format!("/api/v1/customers/{}", id_of(&second));
        app.patch(&o.rep_b, &path, json!({ "phone": "0519-8888 7777" }))
            .await
            .assert_status(200);
        let saved = save(&admin, &page.csrf(), &all).await.status(303);
        assert_eq!(saved.location(), "/admin/rules?flash=strong_keys_saved");
        let page = admin.get(&saved.location()).await.status(200);
        assert_eq!(page.text("#flash"), zh("strong_keys.saved"), "{b:?}");
        assert_eq!(
            ticked(&page),
            ["strong.mobile", "strong.landline", "strong.credit_code"]
        );
        let log = app.setting_audit("strong_keys").await;
        assert_eq!(log.len(), 1, "{b:?}");
        assert_eq!(log[0].0, o.admin.id, "{b:?}");
        assert_eq!(
            app.get(&o.rep_a, API).await.assert_status(200).body,
            json!({ "kinds": ["mobile", "landline", "credit_code"] }),
            "{b:?}"
        );

        // The switchboard is now one customer's: another save of it is refused, naming it.
        let r = app
            .post(
                &o.rep_b,
                "/api/v1/customers",
                json!({ "name": "永信机械厂", "phone": "0519 88886666", "source": "web" }),
            )
            .await
            .assert_problem(409);
        assert_eq!(r.body["existing"]["name"], "常州永信", "{b:?}: {}", r.body);
    }
}
