//! Who may read what: another rep's customer does not exist for a rep (404, not 403), a
//! manager sees their team only, and pool customers' phones are masked for everyone.

use crate::harness::{Org, TestApp, TestUser, fresh_phone, id_of};
use kehu_testkit::{BACKENDS, Backend};
use reqwest::Method;
use serde_json::{Value, json};

/// Every way to reach one customer by id: read, edit, claim, release, transfer, history,
/// owner-at.
fn by_id_requests(id: i64, to: i64) -> Vec<(Method, String, Option<Value>)> {
    let c = format!("/api/v1/customers/{id}");
    vec![
        (Method::GET, c.clone(), None),
        (
            Method::PATCH,
            c.clone(),
            Some(json!({ "industry": "偷看" })),
        ),
        (Method::POST, format!("{c}/claim"), None),
        (
            Method::POST,
            format!("{c}/release"),
            Some(json!({ "reason": "不想要了" })),
        ),
        (
            Method::POST,
            format!("{c}/transfer"),
            Some(json!({ "to": to, "reason": "给我" })),
        ),
        (Method::GET, format!("{c}/ownership"), None),
        (Method::GET, format!("{c}/owner"), None),
    ]
}

/// Asserts `user` gets, for every by-id request on `id`, the very answer a nonexistent id
/// gets: 404 with the same problem body.
async fn assert_does_not_exist_for(app: &TestApp, user: &TestUser, id: i64) {
    let missing = 987_654_321;
    for ((method, path, body), (_, missing_path, missing_body)) in by_id_requests(id, user.id)
        .into_iter()
        .zip(by_id_requests(missing, user.id))
    {
        let theirs = app
            .send(user, method.clone(), &path, body.as_ref())
            .await
            .assert_problem(404);
        let none = app
            .send(user, method, &missing_path, missing_body.as_ref())
            .await
            .assert_problem(404);
        assert_eq!(
            theirs.body, none.body,
            "{}: differs from a nonexistent id's answer",
            theirs.request
        );
        assert_eq!(
            theirs.content_type(),
            none.content_type(),
            "{}",
            theirs.request
        );
    }
}

#[tokio::test]
async fn another_reps_customer_is_404_like_a_nonexistent_one() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let created = app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await;
        let id = id_of(&created);

        assert_does_not_exist_for(app, &o.rep_b, id).await;

        // Nothing the refused requests asked for happened.
        let c = app
            .get(&o.rep_a, &format!("/api/v1/customers/{id}"))
            .await
            .assert_status(200);
        assert_eq!(c.body["owner"]["id"], o.rep_a.id, "{b:?}: owner unchanged");
        assert_eq!(c.body["industry"], Value::Null, "{b:?}: not edited");
        assert_eq!(c.body["version"], created["version"], "{b:?}: not touched");

        // Nor does it show up in any of rep B's lists, searched by name or not.
        for query in [
            "scope=mine",
            "scope=pool",
            "scope=shared",
            "scope=mine&q=华星",
            "scope=pool&q=华星",
            "scope=shared&q=华星",
        ] {
            let ids = app.list_ids(&o.rep_b, query).await;
            assert!(
                !ids.contains(&id),
                "{b:?}: rep B's list `{query}` shows rep A's customer: {ids:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_manager_sees_their_team_and_no_other() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let phone = fresh_phone();
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &phone).await);

        let r = app
            .get(&o.manager, &format!("/api/v1/customers/{id}"))
            .await
            .assert_status(200);
        assert_eq!(r.body["owner"]["id"], o.rep_a.id, "{b:?}");
        assert_eq!(
            r.body["phone_masked"], false,
            "{b:?}: the owner's manager sees the phone"
        );
        assert_eq!(r.body["phone"], format!("+86{phone}"), "{b:?}");
        assert!(
            app.list_ids(&o.manager, "scope=team").await.contains(&id),
            "{b:?}: team list of 华东's manager"
        );
        app.get(&o.manager, &format!("/api/v1/customers/{id}/ownership"))
            .await
            .assert_status(200);

        // The manager of 华南 is outside 华东: the customer does not exist for them.
        assert_does_not_exist_for(app, &o.other_manager, id).await;
        let ids = app.list_ids(&o.other_manager, "scope=team").await;
        assert!(
            !ids.contains(&id),
            "{b:?}: 华南's team list shows 华东's customer: {ids:?}"
        );

        // The admin sees everyone's.
        app.get(&o.admin, &format!("/api/v1/customers/{id}"))
            .await
            .assert_status(200);
        assert!(
            app.list_ids(&o.admin, "scope=team").await.contains(&id),
            "{b:?}: admin's team list"
        );
    }
}

#[tokio::test]
async fn pool_phones_are_masked_for_everyone_until_claimed() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let body = json!({
            "name": "苏州华星精密",
            "phone": "138-0013-8000",
            "source": "trade_show",
            "contacts": [{ "name": "王经理", "phone": "13900139000", "title": "采购" }],
        });
        let created = app
            .post(&o.rep_a, "/api/v1/customers", body)
            .await
            .assert_status(201)
            .body;
        let id = id_of(&created);
        assert_eq!(
            created["contacts"][0]["phone"], "+8613900139000",
            "{b:?}: the owner sees contact phones"
        );
        let released = app
            .post(
                &o.rep_a,
                &format!("/api/v1/customers/{id}/release"),
                json!({ "reason": "暂无需求" }),
            )
            .await
            .assert_status(200);
        assert_masked(b, "release answer", &released.body);

        // Everyone reads a pool customer, nobody sees its phones: reps (including the
        // former owner), managers, admins.
        for (who, user) in [
            ("former owner", &o.rep_a),
            ("rep", &o.rep_b),
            ("manager", &o.manager),
            ("other manager", &o.other_manager),
            ("admin", &o.admin),
        ] {
            let r = app
                .get(user, &format!("/api/v1/customers/{id}"))
                .await
                .assert_status(200);
            assert_masked(b, who, &r.body);
            let listed = app
                .get(user, "/api/v1/customers?scope=pool")
                .await
                .assert_status(200)
                .items();
            let item = listed
                .iter()
                .find(|c| id_of(c) == id)
                .unwrap_or_else(|| panic!("{b:?}: {who}: not in the pool"));
            assert_eq!(item["phone"], "138****8000", "{b:?}: {who}: pool list");
            assert_eq!(item["phone_masked"], true, "{b:?}: {who}: pool list");
        }

        // The claimer gets the phones; the claim's answer already shows them.
        let claimed = app
            .post(
                &o.rep_b,
                &format!("/api/v1/customers/{id}/claim"),
                json!({}),
            )
            .await
            .assert_status(200);
        assert_unmasked(b, "claim answer", &claimed.body);
        for (who, user) in [
            ("claimer", &o.rep_b),
            ("claimer's manager", &o.manager),
            ("admin", &o.admin),
        ] {
            let r = app
                .get(user, &format!("/api/v1/customers/{id}"))
                .await
                .assert_status(200);
            assert_unmasked(b, who, &r.body);
        }
        // The former owner lost it: it no longer exists for them.
        app.get(&o.rep_a, &format!("/api/v1/customers/{id}"))
            .await
            .assert_problem(404);
    }
}

fn assert_masked(b: Backend, who: &str, c: &Value) {
    assert_eq!(c["phone"], "138****8000", "{b:?}: {who}: {c}");
    assert_eq!(c["phone_masked"], true, "{b:?}: {who}");
    assert_eq!(
        c["contacts"][0]["phone"], "139****9000",
        "{b:?}: {who}: contact phone: {c}"
    );
    assert_eq!(
        c["contacts"][0]["name"], "王经理",
        "{b:?}: {who}: the contact is listed"
    );
    assert!(
        !c.to_string().contains("13800138000"),
        "{b:?}: {who}: full number leaks: {c}"
    );
    assert!(
        !c.to_string().contains("13900139000"),
        "{b:?}: {who}: full contact number leaks: {c}"
    );
}

fn assert_unmasked(b: Backend, who: &str, c: &Value) {
    assert_eq!(c["phone"], "+8613800138000", "{b:?}: {who}: {c}");
    assert_eq!(c["phone_masked"], false, "{b:?}: {who}");
    assert_eq!(
        c["contacts"][0]["phone"], "+8613900139000",
        "{b:?}: {who}: contact phone"
    );
}

#[tokio::test]
async fn ids_that_are_not_numbers_are_not_found_problems() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        for path in [
            "/api/v1/customers/abc",
            "/api/v1/customers/1e9/ownership",
            "/api/v1/customers/-/owner",
        ] {
            let r = app.get(&o.rep_a, path).await.assert_problem(404);
            assert_eq!(r.body["status"], 404, "{b:?} {path}");
        }
        app.get(&o.rep_a, "/api/v1/customers?colour=red")
            .await
            .assert_problem(422)
            .assert_fields(&["colour"]);
    }
}
