//! Owner changes over the API: release, claim, transfer (one and all), the ledger, and
//! "who owned it at time T".

use crate::harness::{Org, TestApp, TestUser, fresh_phone, id_of};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use kehu_testkit::{BACKENDS, Backend};
use serde_json::{Value, json};

/// The ledger events of a customer, as `user` reads them.
async fn events(app: &TestApp, user: &TestUser, id: i64) -> Vec<Value> {
    let r = app
        .get(user, &format!("/api/v1/customers/{id}/ownership"))
        .await
        .assert_status(200);
    assert_eq!(r.body["customer_id"], id, "{}", r.request);
    r.body["events"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{}: no events: {}", r.request, r.body))
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or("?"))
        .collect()
}

fn at_of(b: Backend, e: &Value) -> DateTime<Utc> {
    e["at"]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("{b:?}: event without a time: {e}"))
}

#[tokio::test]
async fn release_needs_a_reason_and_puts_the_customer_in_the_pool() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{id}/release");

        app.post(&o.rep_a, &path, json!({}))
            .await
            .assert_fields(&["reason"]);
        app.post(&o.rep_a, &path, json!({ "reason": "   " }))
            .await
            .assert_fields(&["reason"]);
        app.post(&o.rep_a, &path, json!({ "reason": "x".repeat(501) }))
            .await
            .assert_fields(&["reason"]);
        app.post(&o.rep_a, &path, json!({ "reason": "暂无需求", "why": "?" }))
            .await
            .assert_fields(&["why"]);
        assert_eq!(
            app.list_ids(&o.rep_a, "scope=mine").await,
            [id],
            "{b:?}: a refused release moved the customer"
        );
        assert!(
            app.list_ids(&o.rep_a, "scope=pool").await.is_empty(),
            "{b:?}"
        );

        let r = app
            .post(&o.rep_a, &path, json!({ "reason": "暂无需求" }))
            .await
            .assert_status(200);
        assert_eq!(r.body["in_pool"], true, "{b:?}: {}", r.body);
        assert_eq!(r.body["owner"], Value::Null, "{b:?}");
        assert_eq!(
            app.list_ids(&o.rep_b, "scope=pool").await,
            [id],
            "{b:?}: in the pool for everyone"
        );
        assert!(
            app.list_ids(&o.rep_a, "scope=mine").await.is_empty(),
            "{b:?}: no longer mine"
        );

        let last = events(app, &o.rep_a, id).await.pop().expect("events");
        assert_eq!(last["kind"], "release", "{b:?}");
        assert_eq!(last["reason"], "暂无需求", "{b:?}");
        assert_eq!(last["from"]["id"], o.rep_a.id, "{b:?}");
        assert_eq!(last["to"], Value::Null, "{b:?}");

        // Releasing what is already in the pool is a conflict.
        app.post(&o.rep_a, &path, json!({ "reason": "再退一次" }))
            .await
            .assert_problem(409);
    }
}

#[tokio::test]
async fn claim_takes_a_pool_customer_and_a_second_claim_names_the_owner() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = app
            .pool_customer(&o.rep_a, "苏州华星精密", &fresh_phone())
            .await;
        let path = format!("/api/v1/customers/{id}/claim");

        let r = app
            .post(&o.rep_b, &path, json!({}))
            .await
            .assert_status(200);
        assert_eq!(r.body["owner"]["id"], o.rep_b.id, "{b:?}: {}", r.body);
        assert_eq!(r.body["owner"]["name"], o.rep_b.name.as_str(), "{b:?}");
        assert_eq!(r.body["in_pool"], false, "{b:?}");
        assert_eq!(
            app.list_ids(&o.rep_b, "scope=mine").await,
            [id],
            "{b:?}: the claimer's now"
        );
        assert!(
            app.list_ids(&o.rep_a, "scope=pool").await.is_empty(),
            "{b:?}: out of the pool"
        );

        // Whoever can see the customer and claims it again is told who has it.
        for (who, user) in [
            ("owner", &o.rep_b),
            ("manager", &o.manager),
            ("admin", &o.admin),
        ] {
            let r = app.post(user, &path, json!({})).await.assert_problem(409);
            let detail = r.body["detail"].as_str().unwrap_or_default();
            assert!(
                detail.contains("lready claimed"),
                "{b:?}: {who}: detail `{detail}`"
            );
            assert!(
                detail.contains(&o.rep_b.name),
                "{b:?}: {who}: detail `{detail}` names the owner"
            );
            assert_eq!(
                r.body["owner"]["name"],
                o.rep_b.name.as_str(),
                "{b:?}: {who}: {}",
                r.body
            );
        }
        let claims = events(app, &o.rep_b, id)
            .await
            .iter()
            .filter(|e| e["kind"] == "claim")
            .count();
        assert_eq!(claims, 1, "{b:?}: refused claims left ledger events");
    }
}

#[tokio::test]
async fn a_manager_transfers_within_the_team_with_a_reason() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await);
        let path = format!("/api/v1/customers/{id}/transfer");

        // Reps may not transfer, not even their own customers.
        app.post(
            &o.rep_a,
            &path,
            json!({ "to": o.rep_b.id, "reason": "我太忙" }),
        )
        .await
        .assert_problem(403);
        // A reason and a known target are required; the target must be in the manager's team.
        app.post(&o.manager, &path, json!({ "to": o.rep_b.id }))
            .await
            .assert_fields(&["reason"]);
        app.post(&o.manager, &path, json!({ "reason": "调整" }))
            .await
            .assert_fields(&["to"]);
        app.post(
            &o.manager,
            &path,
            json!({ "to": 987_654, "reason": "调整" }),
        )
        .await
        .assert_fields(&["to"]);
        app.post(
            &o.manager,
            &path,
            json!({ "to": o.south_rep.id, "reason": "调整" }),
        )
        .await
        .assert_fields(&["to"]);
        let c = app
            .get(&o.rep_a, &format!("/api/v1/customers/{id}"))
            .await
            .assert_status(200);
        assert_eq!(
            c.body["owner"]["id"], o.rep_a.id,
            "{b:?}: a refused transfer moved the customer"
        );
        assert_eq!(
            kinds(&events(app, &o.rep_a, id).await),
            ["create"],
            "{b:?}: a refused transfer left an event"
        );

        let r = app
            .post(
                &o.manager,
                &path,
                json!({ "to": o.rep_b.id, "reason": "客户要求换人" }),
            )
            .await
            .assert_status(200);
        assert_eq!(r.body["owner"]["id"], o.rep_b.id, "{b:?}: {}", r.body);
        assert_eq!(app.list_ids(&o.rep_b, "scope=mine").await, [id], "{b:?}");
        app.get(&o.rep_a, &format!("/api/v1/customers/{id}"))
            .await
            .assert_problem(404);

        let ev = events(app, &o.manager, id).await;
        assert_eq!(kinds(&ev), ["create", "transfer"], "{b:?}");
        let t = &ev[1];
        assert_eq!(t["from"]["id"], o.rep_a.id, "{b:?}: {t}");
        assert_eq!(t["from"]["name"], o.rep_a.name.as_str(), "{b:?}");
        assert_eq!(t["to"]["id"], o.rep_b.id, "{b:?}");
        assert_eq!(t["to"]["name"], o.rep_b.name.as_str(), "{b:?}");
        assert_eq!(t["by"]["id"], o.manager.id, "{b:?}");
        assert_eq!(t["by"]["name"], o.manager.name.as_str(), "{b:?}");
        assert_eq!(t["reason"], "客户要求换人", "{b:?}");
    }
}

#[tokio::test]
async fn bulk_transfer_hands_over_every_customer_of_a_rep() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let mut ids = Vec::new();
        for name in ["苏州华星精密", "杭州云帆科技", "宁波海润贸易"] {
            ids.push(id_of(&app.customer(&o.rep_a, name, &fresh_phone()).await));
        }
        let kept = id_of(&app.customer(&o.rep_b, "无锡金桥机械", &fresh_phone()).await);
        let path = format!("/api/v1/users/{}/transfer-customers", o.rep_a.id);

        // A rep cannot empty a colleague.
        let r = app
            .post(
                &o.rep_b,
                &path,
                json!({ "to": o.rep_b.id, "reason": "离职交接" }),
            )
            .await;
        assert!(
            matches!(r.status.as_u16(), 403 | 404),
            "{}: {} {}",
            r.request,
            r.status,
            r.body
        );
        app.post(&o.manager, &path, json!({ "to": o.rep_b.id }))
            .await
            .assert_fields(&["reason"]);
        assert_eq!(
            app.list_ids(&o.rep_a, "scope=mine").await.len(),
            3,
            "{b:?}: refused bulk transfer moved something"
        );

        let r = app
            .post(
                &o.manager,
                &path,
                json!({ "to": o.rep_b.id, "reason": "离职交接" }),
            )
            .await
            .assert_status(200);
        assert_eq!(r.body["moved"], 3, "{b:?}: {}", r.body);
        assert_eq!(r.body["skipped"], json!([]), "{b:?}");
        assert!(
            app.list_ids(&o.rep_a, "scope=mine").await.is_empty(),
            "{b:?}: rep A still owns customers"
        );
        let mut mine = app.list_ids(&o.rep_b, "scope=mine").await;
        mine.sort_unstable();
        let mut expected = ids.clone();
        expected.push(kept);
        expected.sort_unstable();
        assert_eq!(mine, expected, "{b:?}: rep B owns theirs and rep A's");

        for id in ids {
            let ev = events(app, &o.manager, id).await;
            let transfers: Vec<_> = ev.iter().filter(|e| e["kind"] == "transfer").collect();
            assert_eq!(
                transfers.len(),
                1,
                "{b:?}: customer {id}: one transfer event: {ev:?}"
            );
            let t = transfers[0];
            assert_eq!(
                (&t["from"]["id"], &t["to"]["id"], &t["by"]["id"]),
                (&json!(o.rep_a.id), &json!(o.rep_b.id), &json!(o.manager.id)),
                "{b:?}: {t}"
            );
            assert_eq!(t["reason"], "离职交接", "{b:?}");
        }
        assert_eq!(
            kinds(&events(app, &o.rep_b, kept).await),
            ["create"],
            "{b:?}: rep B's own customer untouched"
        );
    }
}

#[tokio::test]
async fn history_and_owner_at_time_follow_the_ledger() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let pause = || tokio::time::sleep(std::time::Duration::from_millis(20));
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await);
        pause().await;
        app.post(
            &o.rep_a,
            &format!("/api/v1/customers/{id}/release"),
            json!({ "reason": "暂无需求" }),
        )
        .await
        .assert_status(200);
        pause().await;
        app.post(
            &o.rep_b,
            &format!("/api/v1/customers/{id}/claim"),
            json!({}),
        )
        .await
        .assert_status(200);

        let ev = events(app, &o.rep_b, id).await;
        assert_eq!(
            kinds(&ev),
            ["create", "release", "claim"],
            "{b:?}: oldest first"
        );
        let (create, release, claim) = (&ev[0], &ev[1], &ev[2]);
        assert_eq!(
            create["to"]["name"],
            o.rep_a.name.as_str(),
            "{b:?}: {create}"
        );
        assert_eq!(create["by"]["name"], o.rep_a.name.as_str(), "{b:?}");
        assert_eq!(create["from"], Value::Null, "{b:?}");
        assert_eq!(
            release["from"]["name"],
            o.rep_a.name.as_str(),
            "{b:?}: {release}"
        );
        assert_eq!(release["by"]["name"], o.rep_a.name.as_str(), "{b:?}");
        assert_eq!(release["to"], Value::Null, "{b:?}");
        assert_eq!(release["reason"], "暂无需求", "{b:?}");
        assert_eq!(claim["from"], Value::Null, "{b:?}: {claim}");
        assert_eq!(claim["to"]["name"], o.rep_b.name.as_str(), "{b:?}");
        assert_eq!(claim["by"]["name"], o.rep_b.name.as_str(), "{b:?}");
        let (t1, t2, t3) = (at_of(b, create), at_of(b, release), at_of(b, claim));
        assert!(t1 < t2 && t2 < t3, "{b:?}: event times {t1} {t2} {t3}");

        let mid = |a: DateTime<Utc>, z: DateTime<Utc>| a + (z - a) / 2;
        let cases = [
            (t1 - Duration::seconds(1), None, "before creation"),
            (t1, Some(&o.rep_a), "at creation"),
            (mid(t1, t2), Some(&o.rep_a), "between create and release"),
            (t2, None, "at release"),
            (mid(t2, t3), None, "in the pool"),
            (t3, Some(&o.rep_b), "at the claim"),
            (t3 + Duration::days(1), Some(&o.rep_b), "after the claim"),
        ];
        for (at, owner, when) in cases {
            let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
            let r = app
                .get(&o.rep_b, &format!("/api/v1/customers/{id}/owner?at={at}"))
                .await
                .assert_status(200);
            match owner {
                Some(u) => {
                    assert_eq!(
                        r.body["owner"]["id"], u.id,
                        "{b:?}: {when} ({at}): {}",
                        r.body
                    );
                    assert_eq!(r.body["owner"]["name"], u.name.as_str(), "{b:?}: {when}");
                }
                None => assert_eq!(
                    r.body["owner"],
                    Value::Null,
                    "{b:?}: {when} ({at}): {}",
                    r.body
                ),
            }
        }
        let r = app
            .get(&o.rep_b, &format!("/api/v1/customers/{id}/owner"))
            .await
            .assert_status(200);
        assert_eq!(
            r.body["owner"]["id"], o.rep_b.id,
            "{b:?}: owner now: {}",
            r.body
        );
        app.get(
            &o.rep_b,
            &format!("/api/v1/customers/{id}/owner?at=yesterday"),
        )
        .await
        .assert_fields(&["at"]);
    }
}

#[tokio::test]
async fn a_claim_answers_what_a_read_after_it_shows_and_tells_the_former_owner() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let body = json!({
            "name": "常州东方机电",
            "phone": fresh_phone(),
            "source": "web",
            "contacts": [
                { "name": "王经理", "phone": fresh_phone(), "title": "采购" },
                { "name": "李工", "title": "技术" },
            ],
        });
        let created = app.post(&o.rep_a, "/api/v1/customers", body).await;
        let id = id_of(&created.assert_status(201).body);
        app.post(
            &o.rep_a,
            &format!("/api/v1/customers/{id}/release"),
            json!({ "reason": "放回公海" }),
        )
        .await
        .assert_status(200);

        // The claim is answered from the row it read and wrote, not read back: the same
        // body as a read right after it (owner, since, version, unmasked phones, contacts).
        let claimed = app
            .post(
                &o.rep_b,
                &format!("/api/v1/customers/{id}/claim"),
                json!({}),
            )
            .await
            .assert_status(200)
            .body;
        let read = app
            .get(&o.rep_b, &format!("/api/v1/customers/{id}"))
            .await
            .assert_status(200)
            .body;
        let mut read_without_extras = read.clone();
        if let Some(map) = read_without_extras.as_object_mut() {
            map.retain(|k, _| claimed.get(k).is_some());
        }
        assert_eq!(claimed, read_without_extras, "{b:?}: {claimed} vs {read}");
        assert_eq!(
            claimed["contacts"].as_array().map(Vec::len),
            Some(2),
            "{b:?}"
        );
        assert_eq!(
            claimed["phone_masked"], false,
            "{b:?}: the owner sees the phone"
        );

        // The former owner hears who claimed which customer.
        let inbox = app
            .get(&o.rep_a, "/api/v1/notifications")
            .await
            .assert_status(200);
        let first = &inbox.items()[0];
        assert_eq!(first["kind"], "claimed_former", "{b:?}: {}", inbox.body);
        assert_eq!(
            first["message"],
            format!(
                "Your former customer 常州东方机电 was claimed from the pool by {}",
                o.rep_b.name
            ),
            "{b:?}"
        );
    }
}
