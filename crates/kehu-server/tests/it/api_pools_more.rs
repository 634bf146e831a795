//! More of the pool API: showing one pool, previewing a rule change, unlocking a customer —
//! each one's happy path, who may call it (rep, manager, admin; foreign ids are 404) and bad
//! input named by its field, on both engines.

use crate::harness::{Org, TestApp, TestUser, fresh_phone, id_of};
use chrono::{Duration, FixedOffset, Utc};
use kehu_domain::customer::{CustomerInput, NewCustomer};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_testkit::BACKENDS;
use reqwest::Method;
use serde_json::json;

/// A customer `owner` has owned for `days` days without a follow-up; answers its id.
pub async fn aged_customer(app: &TestApp, owner: &TestUser, name: &str, days: i64) -> i64 {
    let actor = app
        .store()
        .actor(UserId(owner.id))
        .await
        .expect("actor")
        .expect("active");
    let input = CustomerInput {
        name: Some(name.into()),
        phone: Some(fresh_phone()),
        source: Some("web".into()),
        ..Default::default()
    };
    let offset = FixedOffset::east_opt(8 * 3600).expect("offset");
    let new = NewCustomer::parse(&input, offset).expect("valid customer");
    #[expect(
        clippy::disallowed_methods,
        reason = "the past, relative to the server's clock"
    )]
    let then = Utc::now() - Duration::days(days);
    let id = app
        .store()
        .create_customer(&actor, &new, then)
        .await
        .expect("create customer");
    id.0
}

/// The team of `user`.
pub async fn team_of(app: &TestApp, user: &TestUser) -> i64 {
    let actor = app.store().actor(UserId(user.id)).await.expect("actor");
    actor.expect("active").team_id.expect("team").0
}

/// 华东公海 for rep_a's team, recycling after 60 days without an effective follow-up.
async fn east_pool(o: &Org) -> i64 {
    let east = team_of(&o.app, &o.rep_a).await;
    let body = json!({
        "name": "华东公海",
        "members": [east],
        "rules": {"recycle": {"no_follow_up_days": 60}, "lock_limit": 1}
    });
    let r = o.app.post(&o.admin, "/api/v1/pools", body).await;
    r.assert_status(201).body["id"].as_i64().expect("id")
}

#[tokio::test]
async fn an_admin_reads_one_pool_and_nobody_else_does() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let id = east_pool(&o).await;
        let r = o
            .app
            .get(&o.admin, &format!("/api/v1/pools/{id}"))
            .await
            .assert_status(200);
        assert_eq!(r.body["name"], "华东公海", "{b:?}: {}", r.body);
        assert_eq!(r.body["rules"]["recycle"]["no_follow_up_days"], 60, "{b:?}");
        assert_eq!(r.body["members"][0]["name"], "华东", "{b:?}: {}", r.body);
        assert_eq!(r.body["is_default"], false, "{b:?}");
        for who in [&o.rep_a, &o.manager] {
            o.app
                .get(who, &format!("/api/v1/pools/{id}"))
                .await
                .assert_problem(403);
        }
        o.app
            .get(&o.admin, "/api/v1/pools/999999")
            .await
            .assert_problem(404);
        o.app
            .get(&o.admin, "/api/v1/pools/abc")
            .await
            .assert_problem(404);
    }
}

#[tokio::test]
async fn a_preview_lists_what_a_rule_change_would_recycle_and_saves_nothing() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = east_pool(&o).await;
        let old = aged_customer(app, &o.rep_a, "苏州华星精密", 40).await;
        let fresh = id_of(&app.customer(&o.rep_b, "无锡新客户", &fresh_phone()).await);
        let south = aged_customer(app, &o.south_rep, "广州老客户", 40).await;
        let path = format!("/api/v1/pools/{id}/preview");
        let change = json!({"rules": {"recycle": {"no_follow_up_days": 30}}});
        let r = app
            .post(&o.admin, &path, change.clone())
            .await
            .assert_status(200);
        let ids: Vec<i64> = r.body["customers"]
            .as_array()
            .expect("customers")
            .iter()
            .map(|c| c["customer_id"].as_i64().expect("id"))
            .collect();
        assert_eq!(
            ids,
            [old],
            "{b:?}: not {fresh} (new), not {south} (another pool)"
        );
        assert_eq!(r.body["reps"], 1, "{b:?}");
        assert_eq!(r.body["customers"][0]["owner_name"], o.rep_a.name.as_str());
        assert!(
            r.body["customers"][0]["cause"].is_object(),
            "{b:?}: the rule and its facts: {}",
            r.body
        );
        // The stored rules (60 days) would recycle nothing, and are still the rules.
        let unchanged = app
            .post(&o.admin, &path, json!({}))
            .await
            .assert_status(200);
        assert_eq!(unchanged.body["reps"], 0, "{b:?}: {}", unchanged.body);
        let pool = app.get(&o.admin, &format!("/api/v1/pools/{id}")).await;
        assert_eq!(
            pool.body["rules"]["recycle"]["no_follow_up_days"], 60,
            "{b:?}"
        );
        for who in [&o.rep_a, &o.manager] {
            app.post(who, &path, change.clone())
                .await
                .assert_problem(403);
        }
        app.post(&o.admin, "/api/v1/pools/999999/preview", change.clone())
            .await
            .assert_problem(404);
    }
}

#[tokio::test]
async fn a_bad_preview_names_its_field() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let id = east_pool(&o).await;
        let path = format!("/api/v1/pools/{id}/preview");
        let bad = json!({
            "rules": {"recycle": {"no_follow_up_days": 30, "warn_days": 30}, "claim": {"per_day": 0}},
            "members": [999999]
        });
        let r = o.app.post(&o.admin, &path, bad).await;
        let mut fields = r.assert_fields(&[]).fields();
        fields.sort();
        assert_eq!(
            fields,
            ["members", "rules.claim.per_day", "rules.recycle.warn_days"],
            "{b:?}"
        );
        o.app
            .post(&o.admin, &path, json!({"colour": "red"}))
            .await
            .assert_fields(&["colour"]);
        o.app
            .post(&o.admin, &path, json!({"rules": {"recycle_to": 999999}}))
            .await
            .assert_fields(&["rules.recycle_to"]);
    }
}

#[tokio::test]
async fn an_owner_unlocks_and_the_lock_is_free_again() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        east_pool(&o).await;
        let one = id_of(&app.customer(&o.rep_a, "锁一", &fresh_phone()).await);
        let two = id_of(&app.customer(&o.rep_a, "锁二", &fresh_phone()).await);
        let lock = |id: i64| format!("/api/v1/customers/{id}/lock");
        app.post(&o.rep_a, &lock(one), json!({}))
            .await
            .assert_status(200);
        app.post(&o.rep_a, &lock(two), json!({}))
            .await
            .assert_problem(409);
        // Others cannot unlock it: a colleague cannot even see it, a manager or admin is
        // not its owner.
        app.send(&o.rep_b, Method::DELETE, &lock(one), None)
            .await
            .assert_problem(404);
        app.send(&o.south_rep, Method::DELETE, &lock(one), None)
            .await
            .assert_problem(404);
        for who in [&o.manager, &o.admin] {
            app.send(who, Method::DELETE, &lock(one), None)
                .await
                .assert_problem(403);
        }
        app.send(
            &o.rep_a,
            Method::DELETE,
            "/api/v1/customers/999999/lock",
            None,
        )
        .await
        .assert_problem(404);
        app.send(&o.rep_a, Method::DELETE, "/api/v1/customers/x/lock", None)
            .await
            .assert_problem(404);
        let r = app
            .send(&o.rep_a, Method::DELETE, &lock(one), None)
            .await
            .assert_status(200);
        assert_eq!(r.body["locked"], false, "{b:?}");
        let actor = app.store().actor(UserId(o.rep_a.id)).await.expect("a");
        let view = app
            .store()
            .customer_for(&actor.expect("active"), CustomerId(one))
            .await
            .expect("read")
            .expect("visible");
        assert!(!view.place.locked, "{b:?}");
        // The one lock the pool allows is free again.
        app.post(&o.rep_a, &lock(two), json!({}))
            .await
            .assert_status(200);
        // Unlocking what is not locked is no error.
        app.send(&o.rep_a, Method::DELETE, &lock(one), None)
            .await
            .assert_status(200);
    }
}
