//! Deals over the API: adding and moving them, field errors, who may see and change them.

use crate::harness::{Org, Resp, fresh_phone, id_of};
use kehu_testkit::BACKENDS;
use serde_json::{Value, json};

/// The `code` the problem gives `field`.
fn code_of(r: &Resp, field: &str) -> Option<String> {
    r.body["errors"].as_array().and_then(|errs| {
        errs.iter()
            .find(|e| e["field"] == field)
            .and_then(|e| e["code"].as_str().map(str::to_owned))
    })
}

fn stages(list: &Resp) -> Vec<(String, String)> {
    list.items()
        .iter()
        .map(|d: &Value| {
            let s = |k: &str| d[k].as_str().unwrap_or("?").to_owned();
            (s("title"), s("stage"))
        })
        .collect()
}

#[tokio::test]
async fn the_owner_adds_a_deal_and_moves_it_until_it_is_won() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{id}/deals");

        let created = app
            .post(
                &o.rep_a,
                &path,
                json!({ "title": "2027 年度维保", "amount": 80000.5,
                        "expected_close_date": "2027-03-31" }),
            )
            .await
            .assert_status(201);
        let d = &created.body;
        assert_eq!(d["stage"], "contact", "{b:?}: {d}");
        assert_eq!(
            (d["amount"].clone(), d["amount_fen"].clone()),
            (json!("80000.50"), json!(8_000_050)),
            "{b:?}"
        );
        assert_eq!(d["expected_close_date"], "2027-03-31", "{b:?}");
        assert_eq!(d["created_by"], "用户rep_a", "{b:?}");
        let deal = d["id"].as_i64().expect("id");
        app.post(
            &o.rep_a,
            &path,
            json!({ "title": "二期", "amount": "1,200", "stage": "needs" }),
        )
        .await
        .assert_status(201);

        let moved = app
            .patch(
                &o.rep_a,
                &format!("{path}/{deal}"),
                json!({ "stage": "negotiation" }),
            )
            .await
            .assert_status(200);
        assert_eq!(moved.body["stage"], "negotiation", "{b:?}");
        let won = app
            .patch(
                &o.rep_a,
                &format!("{path}/{deal}"),
                json!({ "stage": "won" }),
            )
            .await
            .assert_status(200);
        assert!(won.body["closed_at"].is_string(), "{b:?}: {}", won.body);

        // Won is final.
        let again = app
            .patch(
                &o.rep_a,
                &format!("{path}/{deal}"),
                json!({ "stage": "proposal" }),
            )
            .await
            .assert_fields(&["stage"]);
        assert_eq!(
            code_of(&again, "stage").as_deref(),
            Some("deal_closed"),
            "{b:?}"
        );

        let list = app.get(&o.rep_a, &path).await.assert_status(200);
        assert_eq!(
            stages(&list),
            [
                ("二期".to_owned(), "needs".to_owned()),
                ("2027 年度维保".to_owned(), "won".to_owned())
            ],
            "{b:?}: open deals first"
        );
    }
}

#[tokio::test]
async fn a_lost_deal_needs_its_reason_and_bad_input_names_the_field() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "常州永信机械", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{id}/deals");

        let bad = app
            .post(
                &o.rep_a,
                &path,
                json!({ "title": " ", "amount": "12.345", "expected_close_date": "2027-02-30" }),
            )
            .await
            .assert_fields(&["title", "amount", "expected_close_date"]);
        assert_eq!(
            code_of(&bad, "amount").as_deref(),
            Some("amount_invalid"),
            "{b:?}"
        );
        app.post(&o.rep_a, &path, json!({ "title": "设备", "amount": -5 }))
            .await
            .assert_fields(&["amount"]);
        app.post(&o.rep_a, &path, json!({ "title": "设备", "stage": "won" }))
            .await
            .assert_fields(&["stage"]);
        app.post(
            &o.rep_a,
            &path,
            json!({ "title": "设备", "probability": 50 }),
        )
        .await
        .assert_fields(&["probability"]);
        let list = app.get(&o.rep_a, &path).await.assert_status(200);
        assert!(
            list.items().is_empty(),
            "{b:?}: nothing written: {}",
            list.body
        );

        let deal = app
            .post(&o.rep_a, &path, json!({ "title": "设备采购" }))
            .await
            .assert_status(201)
            .body["id"]
            .as_i64()
            .expect("id");
        let deal_path = format!("{path}/{deal}");
        let no_reason = app
            .patch(&o.rep_a, &deal_path, json!({ "stage": "lost" }))
            .await
            .assert_fields(&["lost_reason"]);
        assert_eq!(
            code_of(&no_reason, "lost_reason").as_deref(),
            Some("required"),
            "{b:?}"
        );
        app.patch(
            &o.rep_a,
            &deal_path,
            json!({ "stage": "needs", "lost_reason": "价格" }),
        )
        .await
        .assert_fields(&["lost_reason"]);
        app.patch(&o.rep_a, &deal_path, json!({ "stage": "closing" }))
            .await
            .assert_fields(&["stage"]);
        let list = app.get(&o.rep_a, &path).await.assert_status(200);
        assert_eq!(
            list.items()[0]["stage"],
            "contact",
            "{b:?}: refused moves write nothing"
        );

        let lost = app
            .patch(
                &o.rep_a,
                &deal_path,
                json!({ "stage": "lost", "lost_reason": "预算取消" }),
            )
            .await
            .assert_status(200);
        assert_eq!(
            (lost.body["stage"].clone(), lost.body["lost_reason"].clone()),
            (json!("lost"), json!("预算取消")),
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn other_reps_cannot_see_or_touch_deals_and_the_owners_manager_can() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "无锡恒达电子", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{id}/deals");
        let deal = app
            .post(&o.rep_a, &path, json!({ "title": "产线改造" }))
            .await
            .assert_status(201)
            .body["id"]
            .as_i64()
            .expect("id");
        let deal_path = format!("{path}/{deal}");
        let body = json!({ "title": "抢单" });
        for outsider in [&o.rep_b, &o.other_manager, &o.south_rep] {
            app.get(outsider, &path).await.assert_problem(404);
            app.post(outsider, &path, body.clone())
                .await
                .assert_problem(404);
            app.patch(outsider, &deal_path, json!({ "stage": "won" }))
                .await
                .assert_problem(404);
        }
        // A deal id of another customer is no deal of this one.
        let other = id_of(&app.customer(&o.rep_b, "南通瑞丰纺织", &fresh_phone()).await);
        app.patch(
            &o.rep_b,
            &format!("/api/v1/customers/{other}/deals/{deal}"),
            json!({ "stage": "won" }),
        )
        .await
        .assert_problem(404);

        // The owner's manager and an admin see and change them.
        app.post(&o.manager, &path, json!({ "title": "经理补录" }))
            .await
            .assert_status(201);
        app.patch(&o.manager, &deal_path, json!({ "stage": "proposal" }))
            .await
            .assert_status(200);
        let list = app.get(&o.admin, &path).await.assert_status(200);
        assert_eq!(list.items().len(), 2, "{b:?}");

        // A pool customer's deals are readable by reps who see the pool, changeable by nobody
        // until someone owns it.
        let pooled = app
            .pool_customer(&o.rep_a, "南京天成科技", &fresh_phone())
            .await;
        let pool_path = format!("/api/v1/customers/{pooled}/deals");
        app.get(&o.rep_b, &pool_path).await.assert_status(200);
        app.post(&o.rep_b, &pool_path, body)
            .await
            .assert_problem(403);
    }
}
