//! Fuzzy duplicates at the door: a similar company name holds the save until the rep
//! confirms it is a different customer, which is recorded.

use crate::harness::{Org, fresh_phone, id_of};
use kehu_testkit::BACKENDS;
use serde_json::{Value, json};

fn codes(hit: &Value) -> Vec<String> {
    hit["reasons"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_similar_name_is_refused_until_confirmed_and_the_confirmation_is_recorded() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let theirs = id_of(
            &app.customer(&o.rep_b, "苏州华星精密有限公司", &fresh_phone())
                .await,
        );
        let body =
            json!({ "name": "苏州华星精密机械有限公司", "phone": fresh_phone(), "source": "web" });
        let r = app
            .post(&o.rep_a, "/api/v1/customers", body.clone())
            .await
            .assert_problem(409);
        assert_eq!(r.body["type"], "possible_duplicate", "{b:?}: {}", r.body);
        assert_eq!(r.fields(), vec!["confirm_distinct"], "{b:?}");
        let hit = &r.body["possible_duplicates"][0];
        assert_eq!(hit["name"], "苏州华星精密有限公司", "{b:?}");
        assert_eq!(hit["owner_name"], o.rep_b.name.as_str(), "{b:?}");
        assert_eq!(hit["fuzzy"], true, "{b:?}");
        let reasons = codes(hit);
        assert!(
            reasons.contains(&"company_name_similar".to_owned())
                && reasons.contains(&"same_city".to_owned()),
            "{b:?}: {hit}"
        );
        let detail = hit["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("% similar") && detail.contains("same city"),
            "{b:?}: reasons in words: {detail}"
        );
        // rep_a may not open rep_b's customer: neither the id nor the key gives it away.
        assert_eq!(hit["id"], Value::Null, "{b:?}");
        let key = hit["key"].as_str().expect("key").to_owned();
        assert!(key.starts_with("ref|"), "{b:?}: {key}");
        let fields = hit.as_object().expect("object");
        assert!(
            fields.values().all(|v| *v != json!(theirs)),
            "{b:?}: no member holds the id: {hit}"
        );
        assert_eq!(
            app.list_ids(&o.rep_a, "scope=mine").await,
            Vec::<i64>::new(),
            "{b:?}: nothing was created"
        );

        // A key that is not the hit's confirms nothing.
        let mut wrong = body.clone();
        wrong["confirm_distinct"] = json!(["ref|0000"]);
        app.post(&o.rep_a, "/api/v1/customers", wrong)
            .await
            .assert_problem(409);

        let mut confirmed = body.clone();
        confirmed["confirm_distinct"] = json!([key]);
        let created = app
            .post(&o.rep_a, "/api/v1/customers", confirmed)
            .await
            .assert_status(201);
        let mine = id_of(&created.body);
        let list = &created.body["confirmed_distinct"];
        assert_eq!(
            list[0]["other"]["name"], "苏州华星精密有限公司",
            "{b:?}: {list}"
        );
        assert_eq!(list[0]["other"]["id"], Value::Null, "{b:?}: still no id");
        assert_eq!(list[0]["confirmed_by"], o.rep_a.name.as_str(), "{b:?}");
        // Their manager may open both, and sees the id.
        let seen = app
            .get(&o.manager, &format!("/api/v1/customers/{mine}"))
            .await
            .assert_status(200);
        assert_eq!(
            seen.body["confirmed_distinct"][0]["other"]["id"], theirs,
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn a_strong_key_refuses_even_with_a_confirmation() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let phone = fresh_phone();
        app.customer(&o.rep_b, "苏州华星精密有限公司", &phone).await;
        let check = app
            .post(
                &o.rep_a,
                "/api/v1/customers/check",
                json!({ "name": "苏州华星精密机械", "phone": phone }),
            )
            .await
            .assert_status(200);
        assert_eq!(check.body["blocked"], true, "{b:?}: {}", check.body);
        let keys: Vec<Value> = check.body["matches"]
            .as_array()
            .expect("matches")
            .iter()
            .map(|m| m["key"].clone())
            .collect();
        let body = json!({ "name": "苏州华星精密机械", "phone": phone, "source": "web",
                           "confirm_distinct": keys });
        let r = app
            .post(&o.rep_a, "/api/v1/customers", body)
            .await
            .assert_problem(409);
        assert_eq!(r.fields(), vec!["phone"], "{b:?}: {}", r.body);
        assert_eq!(r.body["existing"]["reason"], "same_mobile", "{b:?}");
    }
}

#[tokio::test]
async fn the_live_check_lists_fuzzy_hits_with_reasons_and_no_foreign_ids() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let own = id_of(
            &app.customer(&o.rep_a, "杭州绿源农业科技有限公司", &fresh_phone())
                .await,
        );
        app.customer(&o.rep_b, "苏州华星精密有限公司", &fresh_phone())
            .await;
        let r = app
            .post(
                &o.rep_a,
                "/api/v1/customers/check",
                json!({ "name": "华星精密机械（苏州）" }),
            )
            .await
            .assert_status(200);
        assert_eq!(r.body["blocked"], false, "{b:?}");
        assert_eq!(r.body["confirm_required"], true, "{b:?}");
        let hits = r.body["matches"].as_array().expect("matches");
        assert_eq!(hits.len(), 1, "{b:?}: {}", r.body);
        assert_eq!(hits[0]["id"], Value::Null, "{b:?}");
        assert_eq!(
            hits[0]["masked_phone"].as_str().map(|p| p.contains("****")),
            Some(true)
        );

        // The rep's own customer is found with its id.
        let r = app
            .post(
                &o.rep_a,
                "/api/v1/customers/check",
                json!({ "name": "绿源农业", "city": "杭州" }),
            )
            .await
            .assert_status(200);
        assert_eq!(r.body["matches"][0]["id"], own, "{b:?}: {}", r.body);
        // Something new finds nothing.
        let r = app
            .post(
                &o.rep_a,
                "/api/v1/customers/check",
                json!({ "name": "深圳蓝海电子" }),
            )
            .await
            .assert_status(200);
        assert_eq!(r.body["matches"], json!([]), "{b:?}");
    }
}

#[tokio::test]
async fn renaming_into_a_similar_name_asks_for_the_same_confirmation() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        app.customer(&o.rep_b, "苏州华星精密有限公司", &fresh_phone())
            .await;
        let mine = id_of(&app.customer(&o.rep_a, "无锡新材料", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{mine}");
        let r = app
            .patch(&o.rep_a, &path, json!({ "name": "苏州华星精密机械" }))
            .await
            .assert_problem(409);
        let key = r.body["possible_duplicates"][0]["key"].clone();
        // Other edits are not held up by it.
        app.patch(&o.rep_a, &path, json!({ "grade": "A" }))
            .await
            .assert_status(200);
        let saved = app
            .patch(
                &o.rep_a,
                &path,
                json!({ "name": "苏州华星精密机械", "confirm_distinct": [key] }),
            )
            .await
            .assert_status(200);
        assert_eq!(saved.body["name"], "苏州华星精密机械", "{b:?}");
        assert_eq!(
            saved.body["confirmed_distinct"].as_array().map(Vec::len),
            Some(1),
            "{b:?}"
        );
        // Confirmed once: editing the name again does not ask again about the same one.
        app.patch(&o.rep_a, &path, json!({ "name": "苏州华星精密机械厂" }))
            .await
            .assert_status(200);
    }
}
