//! Collaborators, notifications, the reveal log and appeals over the API, on both engines.

use crate::harness::{Org, TestApp, TestUser, fresh_phone, id_of};
use kehu_domain::ids::CustomerId;
use kehu_testkit::BACKENDS;
use reqwest::Method;
use serde_json::{Value, json};

/// The kinds of `user`'s notifications, newest first.
async fn kinds(app: &TestApp, user: &TestUser) -> Vec<String> {
    let r = app
        .get(user, "/api/v1/notifications")
        .await
        .assert_status(200);
    r.items()
        .iter()
        .map(|n| n["kind"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[tokio::test]
async fn transfers_and_claims_notify_the_people_concerned_and_only_them() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await);
        // rep_a releases it and rep_b claims it: rep_a hears their former customer went.
        app.post(
            &o.rep_a,
            &format!("/api/v1/customers/{id}/release"),
            json!({ "reason": "不再跟进" }),
        )
        .await
        .assert_status(200);
        app.post(
            &o.rep_b,
            &format!("/api/v1/customers/{id}/claim"),
            json!({}),
        )
        .await
        .assert_status(200);
        assert_eq!(kinds(app, &o.rep_a).await, ["claimed_former"], "{b:?}");
        assert!(kinds(app, &o.rep_b).await.is_empty(), "{b:?}");
        app.post(
            &o.manager,
            &format!("/api/v1/customers/{id}/transfer"),
            json!({ "to": o.rep_a.id, "reason": "区域调整" }),
        )
        .await
        .assert_status(200);
        assert_eq!(
            kinds(app, &o.rep_a).await,
            ["transferred_to", "claimed_former"],
            "{b:?}"
        );
        assert_eq!(kinds(app, &o.rep_b).await, ["transferred_from"], "{b:?}");
        assert!(kinds(app, &o.manager).await.is_empty(), "{b:?}");
        assert!(kinds(app, &o.south_rep).await.is_empty(), "{b:?}");
        let inbox = app.get(&o.rep_a, "/api/v1/notifications").await;
        assert_eq!(inbox.body["unread"], 2, "{b:?}");
        assert_eq!(
            inbox.items()[0]["message"],
            format!("{} transferred 苏州华星精密 to you", o.manager.name),
            "{b:?}"
        );

        // Marking read: one, then all; another user's id is not found.
        let first = app.get(&o.rep_a, "/api/v1/notifications").await.items()[0]["id"]
            .as_i64()
            .unwrap_or_default();
        app.post(
            &o.rep_b,
            &format!("/api/v1/notifications/{first}/read"),
            json!({}),
        )
        .await
        .assert_problem(404);
        app.post(
            &o.rep_a,
            &format!("/api/v1/notifications/{first}/read"),
            json!({}),
        )
        .await
        .assert_status(204);
        let inbox = app.get(&o.rep_a, "/api/v1/notifications").await;
        assert_eq!(inbox.body["unread"], 1, "{b:?}");
        app.post(&o.rep_a, "/api/v1/notifications/read", json!({}))
            .await
            .assert_status(204);
        let inbox = app.get(&o.rep_a, "/api/v1/notifications?unread=true").await;
        assert_eq!(
            (inbox.body["unread"].clone(), inbox.items().len()),
            (json!(0), 0),
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn a_collaborator_reads_until_removed_and_hears_of_both() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "杭州云栖科技", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{id}");
        app.get(&o.south_rep, &path).await.assert_problem(404);

        let added = app
            .post(
                &o.rep_a,
                &format!("{path}/collaborators"),
                json!({ "user_id": o.south_rep.id, "access": "read" }),
            )
            .await
            .assert_status(201);
        assert_eq!(added.items()[0]["name"], o.south_rep.name.as_str(), "{b:?}");
        let seen = app.get(&o.south_rep, &path).await.assert_status(200);
        assert_eq!(seen.body["phone_masked"], false, "{b:?}");
        assert_eq!(
            seen.body["owner"]["id"], o.rep_a.id,
            "the owner stays one: {b:?}"
        );
        // A read collaborator may not edit, nor manage collaborators.
        app.patch(&o.south_rep, &path, json!({ "industry": "软件" }))
            .await
            .assert_problem(403);
        app.post(
            &o.south_rep,
            &format!("{path}/collaborators"),
            json!({ "user_id": o.rep_b.id }),
        )
        .await
        .assert_problem(403);
        // Bad input names the field; the owner cannot be their own collaborator.
        app.post(
            &o.rep_a,
            &format!("{path}/collaborators"),
            json!({ "user_id": o.rep_a.id }),
        )
        .await
        .assert_fields(&["user_id"]);
        app.post(
            &o.rep_a,
            &format!("{path}/collaborators"),
            json!({ "user_id": o.rep_b.id, "access": "owner" }),
        )
        .await
        .assert_fields(&["access"]);

        app.send(
            &o.rep_a,
            Method::DELETE,
            &format!("{path}/collaborators/{}", o.south_rep.id),
            None,
        )
        .await
        .assert_status(204);
        app.get(&o.south_rep, &path).await.assert_problem(404);
        assert_eq!(
            kinds(app, &o.south_rep).await,
            ["collaborator_removed", "collaborator_added"],
            "{b:?}"
        );
        assert!(kinds(app, &o.rep_b).await.is_empty(), "{b:?}");
        let audit = app
            .store()
            .customer_audit(CustomerId(id))
            .await
            .expect("audit");
        let fields: Vec<_> = audit.iter().filter(|a| a.field == "collaborator").collect();
        assert_eq!(fields.len(), 2, "{b:?}");
    }
}

#[tokio::test]
async fn unmasked_views_by_others_are_logged_and_the_owners_are_not() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "宁波海曙贸易", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{id}");
        app.get(&o.rep_a, &path).await.assert_status(200);
        assert!(
            app.store()
                .reveals(CustomerId(id), 10)
                .await
                .expect("log")
                .is_empty(),
            "{b:?}"
        );
        app.get(&o.manager, &path).await.assert_status(200);
        app.get(&o.admin, &path).await.assert_status(200);
        let log = app.store().reveals(CustomerId(id), 10).await.expect("log");
        let who: Vec<_> = log
            .iter()
            .map(|r| (r.viewer_name.as_str(), r.via.as_str()))
            .collect();
        assert_eq!(
            who,
            [
                (o.admin.name.as_str(), "api"),
                (o.manager.name.as_str(), "api")
            ],
            "{b:?}"
        );
    }
}

/// Files rep_b's appeal on rep_a's customer (rep_b reads it as a collaborator).
async fn appeal_on_rep_a_customer(o: &Org) -> (i64, i64) {
    let app = &o.app;
    let id = id_of(&app.customer(&o.rep_a, "无锡新吴电子", &fresh_phone()).await);
    app.post(
        &o.rep_a,
        &format!("/api/v1/customers/{id}/collaborators"),
        json!({ "user_id": o.rep_b.id }),
    )
    .await
    .assert_status(201);
    app.post(
        &o.rep_b,
        &format!("/api/v1/customers/{id}/appeals"),
        json!({ "statement": " " }),
    )
    .await
    .assert_fields(&["statement"]);
    let filed = app
        .post(
            &o.rep_b,
            &format!("/api/v1/customers/{id}/appeals"),
            json!({ "statement": "我 3 月 1 日就拜访过这家客户，有聊天记录为证" }),
        )
        .await
        .assert_status(201);
    (id, filed.body["id"].as_i64().unwrap_or_default())
}

#[tokio::test]
async fn an_appeal_is_decided_by_the_owners_manager_into_the_ledger() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let (id, appeal) = appeal_on_rep_a_customer(&o).await;
        assert_eq!(kinds(app, &o.rep_a).await, ["appeal_filed"], "{b:?}");
        assert_eq!(kinds(app, &o.manager).await, ["appeal_filed"], "{b:?}");
        assert!(kinds(app, &o.other_manager).await.is_empty(), "{b:?}");

        let evidence = app
            .client
            .post(format!(
                "{}/api/v1/appeals/{appeal}/evidence?name=chat.png",
                app.bases[0]
            ))
            .bearer_auth(&o.rep_b.token)
            .header("content-type", "image/png")
            .body(vec![1u8, 2, 3])
            .send()
            .await
            .expect("upload");
        assert_eq!(evidence.status(), 201, "{b:?}");

        let detail = app
            .get(&o.manager, &format!("/api/v1/appeals/{appeal}"))
            .await
            .assert_status(200);
        assert_eq!(detail.body["can_decide"], true, "{b:?}");
        assert_eq!(detail.body["evidence"][0]["name"], "chat.png", "{b:?}");
        assert_eq!(detail.body["evidence"][0]["size"], 3, "{b:?}");
        let timeline: Vec<Value> = detail.body["timeline"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            timeline[0]["text"],
            format!("{} entered the customer", o.rep_a.name),
            "{b:?}"
        );

        let decision = format!("/api/v1/appeals/{appeal}/decision");
        app.post(&o.rep_b, &decision, json!({ "decision": "transfer" }))
            .await
            .assert_problem(403);
        app.get(&o.other_manager, &format!("/api/v1/appeals/{appeal}"))
            .await
            .assert_problem(404);
        app.post(
            &o.other_manager,
            &decision,
            json!({ "decision": "transfer" }),
        )
        .await
        .assert_problem(404);
        app.post(
            &o.manager,
            &decision,
            json!({ "decision": "split", "appellant_share": 100 }),
        )
        .await
        .assert_fields(&["appellant_share"]);

        let decided = app
            .post(
                &o.manager,
                &decision,
                json!({ "decision": "split", "appellant_share": 60 }),
            )
            .await
            .assert_status(200);
        assert_eq!(
            (
                decided.body["status"].clone(),
                decided.body["appellant_share"].clone()
            ),
            (json!("decided"), json!(60)),
            "{b:?}"
        );
        app.post(&o.manager, &decision, json!({ "decision": "keep" }))
            .await
            .assert_problem(409);

        let c = app.get(&o.admin, &format!("/api/v1/customers/{id}")).await;
        assert_eq!(c.body["owner"]["id"], o.rep_b.id, "{b:?}");
        let ledger = app.store().ledger(CustomerId(id)).await.expect("ledger");
        let last = ledger.last().expect("an event");
        assert_eq!(last.kind.code(), "appeal", "{b:?}");
        assert_eq!(
            last.rule.as_deref(),
            Some(format!("appeal #{appeal}: split 60/40").as_str())
        );
        assert_eq!(kinds(app, &o.rep_a).await[0], "appeal_decided", "{b:?}");
        assert_eq!(kinds(app, &o.rep_b).await[0], "appeal_decided", "{b:?}");
        let msg = app.get(&o.rep_b, "/api/v1/notifications").await.items()[0]["message"].clone();
        assert_eq!(
            msg,
            format!(
                "{} decided the appeal on 无锡新吴电子: transferred to the appellant with a credit split (appellant 60%, former owner 40%)",
                o.manager.name
            ),
            "{b:?}"
        );
    }
}
