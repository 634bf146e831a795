//! Follow-ups over the API: who may log them, field errors, the effectiveness verdict.

use crate::harness::{Org, fresh_phone, id_of};
use kehu_testkit::BACKENDS;
use serde_json::json;

#[tokio::test]
async fn the_owner_logs_follow_ups_and_learns_whether_they_count() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{id}/follow-ups");

        let short = app
            .post(
                &o.rep_a,
                &path,
                json!({ "kind": "note", "content": "已联系" }),
            )
            .await
            .assert_status(201);
        assert_eq!(short.body["effective"], false, "{b:?}");
        assert_eq!(
            short.body["unmet"],
            json!([{ "code": "content_shorter_than", "min": 15 }]),
            "{b:?}"
        );
        let call = app
            .post(
                &o.rep_a,
                &path,
                json!({ "kind": "call", "content": "聊了报价", "duration_secs": 300,
                        "tags": ["价格敏感", "需技术演示"], "next_follow_up_at": "2026-12-01T10:00" }),
            )
            .await
            .assert_status(201);
        assert_eq!(call.body["effective"], true, "{b:?}");

        let list = app.get(&o.rep_a, &path).await.assert_status(200);
        let kinds: Vec<_> = list
            .items()
            .iter()
            .map(|f| {
                (
                    f["kind"].as_str().unwrap_or("?").to_owned(),
                    f["effective"].clone(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("call".to_owned(), json!(true)),
                ("note".to_owned(), json!(false))
            ],
            "{b:?}"
        );
        assert_eq!(list.items()[0]["tags"], json!(["价格敏感", "需技术演示"]));
        let customer = app
            .get(&o.rep_a, &format!("/api/v1/customers/{id}"))
            .await
            .assert_status(200);
        assert_eq!(
            customer.body["next_follow_up_at"], "2026-12-01T02:00:00Z",
            "{b:?}: the follow-up's next date becomes the customer's"
        );
    }
}

#[tokio::test]
async fn bad_follow_ups_name_their_fields_and_write_nothing() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "常州永信机械", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{id}/follow-ups");
        app.post(&o.rep_a, &path, json!({ "kind": "fax", "content": " " }))
            .await
            .assert_fields(&["kind", "content"]);
        app.post(
            &o.rep_a,
            &path,
            json!({ "kind": "visit", "content": "上门", "contact_id": 999_999 }),
        )
        .await
        .assert_fields(&["contact_id"]);
        app.post(
            &o.rep_a,
            &path,
            json!({ "kind": "call", "content": "x", "mood": "good" }),
        )
        .await
        .assert_fields(&["mood"]);
        let list = app.get(&o.rep_a, &path).await.assert_status(200);
        assert!(list.items().is_empty(), "{b:?}: {}", list.body);
    }
}

#[tokio::test]
async fn only_people_who_may_edit_the_customer_log_follow_ups() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "无锡恒达电子", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{id}/follow-ups");
        let body = json!({ "kind": "note", "content": "客户对报价有疑问，下周二安排技术演示" });
        // Another rep and another team's manager: the customer does not exist for them.
        app.post(&o.rep_b, &path, body.clone())
            .await
            .assert_problem(404);
        app.get(&o.rep_b, &path).await.assert_problem(404);
        app.post(&o.other_manager, &path, body.clone())
            .await
            .assert_problem(404);
        // The owner's manager may.
        app.post(&o.manager, &path, body.clone())
            .await
            .assert_status(201);
        // In the pool it is visible (masked) to reps, but nobody's to follow up.
        let pooled = app
            .pool_customer(&o.rep_a, "南京天成科技", &fresh_phone())
            .await;
        app.post(
            &o.rep_b,
            &format!("/api/v1/customers/{pooled}/follow-ups"),
            body,
        )
        .await
        .assert_problem(403);
    }
}

#[tokio::test]
async fn an_admin_changes_what_counts_and_the_next_follow_up_is_judged_by_it() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let path = "/api/v1/settings/follow-up-effectiveness";
        let mut rules = app.get(&o.rep_a, path).await.assert_status(200).body;
        assert_eq!(rules["note"]["min_chars"], 15, "{b:?}");
        rules["note"]["min_chars"] = json!(3);
        // Reps and managers read the rules but do not change them.
        app.send(&o.manager, reqwest::Method::PUT, path, Some(&rules))
            .await
            .assert_problem(403);
        let mut bad = rules.clone();
        bad["call"]["min_duration_secs"] = json!(86_400);
        app.send(&o.admin, reqwest::Method::PUT, path, Some(&bad))
            .await
            .assert_fields(&["call.min_duration_secs"]);
        app.send(&o.admin, reqwest::Method::PUT, path, Some(&rules))
            .await
            .assert_status(200);

        let id = id_of(&app.customer(&o.rep_a, "杭州云帆科技", &fresh_phone()).await);
        let logged = app
            .post(
                &o.rep_a,
                &format!("/api/v1/customers/{id}/follow-ups"),
                json!({ "kind": "note", "content": "已联系" }),
            )
            .await
            .assert_status(201);
        assert_eq!(
            logged.body["effective"], true,
            "{b:?}: 3 characters now count"
        );

        let protection = "/api/v1/settings/protection-periods";
        let mut p = app.get(&o.admin, protection).await.assert_status(200).body;
        p["default"]["cap_days"] = json!(5);
        app.send(&o.admin, reqwest::Method::PUT, protection, Some(&p))
            .await
            .assert_fields(&["default.cap_days"]);
    }
}
