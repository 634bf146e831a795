//! Pools over the API: admins configure them; a rep sees only pools open to them; claims
//! hold their limits under concurrency, on both engines and on two PostgreSQL instances.

use crate::harness::{Org, TestApp, TestUser, fresh_phone};
use futures::future::join_all;
use kehu_domain::ids::UserId;
use kehu_testkit::{BACKENDS, Backend};
use reqwest::Method;
use serde_json::{Value, json};

async fn team_of(app: &TestApp, user: &TestUser) -> i64 {
    let actor = app.store().actor(UserId(user.id)).await.expect("actor");
    actor.expect("active").team_id.expect("team").0
}

async fn east_pool(o: &Org, claim: Value) -> i64 {
    let east = team_of(&o.app, &o.rep_a).await;
    let r = o
        .app
        .post(
            &o.admin,
            "/api/v1/pools",
            json!({"name": "华东公海", "members": [east], "rules": {"claim": claim}}),
        )
        .await
        .assert_status(201);
    r.body["id"].as_i64().expect("id")
}

#[tokio::test]
async fn only_admins_configure_pools_and_bad_figures_name_their_field() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        o.app
            .post(&o.manager, "/api/v1/pools", json!({"name": "x"}))
            .await
            .assert_problem(403);
        let r = o
            .app
            .post(
                &o.admin,
                "/api/v1/pools",
                json!({"name": " ", "rules": {"claim": {"per_day": 0}}, "members": [999]}),
            )
            .await
            .assert_problem(422);
        let mut fields = r.fields();
        fields.sort();
        assert_eq!(fields, ["members", "name", "rules.claim.per_day"], "{b:?}");
        // A figure of the wrong type is named by its path too, not as the whole of `rules`.
        let r = o
            .app
            .post(
                &o.admin,
                "/api/v1/pools",
                json!({"name": "华南公海", "rules": {"recycle": {"no_follow_up_days": -3}}}),
            )
            .await
            .assert_problem(422);
        assert_eq!(r.fields(), ["rules.recycle.no_follow_up_days"], "{b:?}");
        let id = east_pool(&o, json!({"per_day": 5})).await;
        o.app
            .post(&o.admin, "/api/v1/pools", json!({"name": "华东公海"}))
            .await
            .assert_problem(409);
        let r = o
            .app
            .patch(
                &o.admin,
                &format!("/api/v1/pools/{id}"),
                json!({"name": "华东一区"}),
            )
            .await
            .assert_status(200);
        assert_eq!(
            r.body["rules"]["claim"]["per_day"], 5,
            "{b:?}: untouched rules kept"
        );
        let list = o
            .app
            .get(&o.admin, "/api/v1/pools")
            .await
            .assert_status(200);
        assert_eq!(list.items().len(), 2, "{b:?}: 公海 and 华东一区");
    }
}

#[tokio::test]
async fn a_south_rep_does_not_see_the_east_pool() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        east_pool(&o, json!({})).await;
        let id = o
            .app
            .pool_customer(&o.rep_a, "苏州华星精密", &fresh_phone())
            .await;
        o.app
            .get(&o.south_rep, &format!("/api/v1/customers/{id}"))
            .await
            .assert_problem(404);
        o.app
            .post(
                &o.south_rep,
                &format!("/api/v1/customers/{id}/claim"),
                json!({}),
            )
            .await
            .assert_problem(404);
        assert!(
            o.app.list_ids(&o.south_rep, "scope=pool").await.is_empty(),
            "{b:?}"
        );
        assert_eq!(o.app.list_ids(&o.rep_b, "scope=pool").await, [id], "{b:?}");
        let open = o
            .app
            .get(&o.south_rep, "/api/v1/pools/open")
            .await
            .assert_status(200);
        assert_eq!(
            open.body.as_array().map(Vec::len),
            Some(1),
            "{b:?}: {}",
            open.body
        );
    }
}

async fn twenty_claims(app: &TestApp, claimer: &TestUser, ids: &[i64]) {
    let b = app.label();
    let auth = format!("Bearer {}", claimer.token);
    let answers = join_all(ids.iter().enumerate().map(|(i, id)| {
        let path = format!("/api/v1/customers/{id}/claim");
        let auth = auth.clone();
        async move { app.send_to(i, Method::POST, &path, Some(&auth), None).await }
    }))
    .await;
    let won = answers.iter().filter(|r| r.status == 200).count();
    assert_eq!(won, 5, "{b}: exactly 5 of 20");
    for r in answers.iter().filter(|r| r.status != 200) {
        assert_eq!(r.status.as_u16(), 409, "{b}: {}", r.body);
        assert_eq!(r.content_type(), "application/problem+json");
        assert_eq!(r.body["code"], "claim_limit", "{b}: {}", r.body);
        assert_eq!(r.body["limits"]["limit"], 5);
        assert_eq!(r.body["limits"]["period"], "day");
        let detail = r.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("5 per day"),
            "{b}: names the limit: {detail}"
        );
    }
}

async fn daily_limit(o: &Org) {
    east_pool(o, json!({"per_day": 5})).await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(
            o.app
                .pool_customer(&o.rep_a, &format!("限额客户{i}"), &fresh_phone())
                .await,
        );
    }
    twenty_claims(&o.app, &o.rep_b, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_claims_against_a_daily_limit_of_five_win_five() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        daily_limit(&o).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_daily_limit_holds_over_two_postgres_instances() {
    let app = TestApp::start_instances(Backend::Postgres, 2).await;
    let o = Org::with_app(app).await;
    daily_limit(&o).await;
}

#[tokio::test]
async fn an_owner_locks_within_the_limit() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let east = team_of(&o.app, &o.rep_a).await;
        o.app
            .post(
                &o.admin,
                "/api/v1/pools",
                json!({"name": "华东公海", "members": [east], "rules": {"lock_limit": 1}}),
            )
            .await
            .assert_status(201);
        let one = crate::harness::id_of(&o.app.customer(&o.rep_a, "锁一", &fresh_phone()).await);
        let two = crate::harness::id_of(&o.app.customer(&o.rep_a, "锁二", &fresh_phone()).await);
        o.app
            .post(
                &o.rep_a,
                &format!("/api/v1/customers/{one}/lock"),
                json!({}),
            )
            .await
            .assert_status(200);
        let r = o
            .app
            .post(
                &o.rep_a,
                &format!("/api/v1/customers/{two}/lock"),
                json!({}),
            )
            .await
            .assert_problem(409);
        assert_eq!(r.body["code"], "lock_limit", "{b:?}");
        o.app
            .post(
                &o.manager,
                &format!("/api/v1/customers/{two}/lock"),
                json!({}),
            )
            .await
            .assert_problem(403);
        o.app
            .post(
                &o.rep_b,
                &format!("/api/v1/customers/{two}/lock"),
                json!({}),
            )
            .await
            .assert_problem(404);
    }
}
