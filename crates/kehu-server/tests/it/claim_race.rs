//! The claim race: 50 reps claim one pool customer at the same moment. Exactly one wins,
//! the 49 others are told who did, and the ledger holds exactly one claim — on SQLite, on
//! PostgreSQL, and on PostgreSQL with two servers sharing the database.

use crate::harness::{TestApp, TestUser, fresh_phone};
use futures::future::join_all;
use kehu_domain::Role;
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::LedgerKind;
use kehu_testkit::{BACKENDS, Backend};
use reqwest::Method;

const CLAIMERS: usize = 50;

async fn race(app: &TestApp) {
    let b = app.label();
    let root = app.team("总部", None).await;
    let sales = app.team("销售部", Some(root)).await;
    let creator = app.user("creator", Role::Rep, sales).await;
    let mut reps: Vec<TestUser> = Vec::with_capacity(CLAIMERS);
    for i in 0..CLAIMERS {
        reps.push(app.user(&format!("rep{i:02}"), Role::Rep, sales).await);
    }
    let id = app
        .pool_customer(&creator, "苏州华星精密", &fresh_phone())
        .await;
    let path = format!("/api/v1/customers/{id}/claim");

    // Every request is built first and then polled together, spread over the instances.
    let claims = reps.iter().enumerate().map(|(i, rep)| {
        let auth = format!("Bearer {}", rep.token);
        let path = path.clone();
        async move {
            (
                rep,
                app.send_to(i, Method::POST, &path, Some(&auth), None).await,
            )
        }
    });
    let answers = join_all(claims).await;

    let winners: Vec<&TestUser> = answers
        .iter()
        .filter(|(_, r)| r.status == 200)
        .map(|(u, _)| *u)
        .collect();
    let statuses: Vec<u16> = answers.iter().map(|(_, r)| r.status.as_u16()).collect();
    assert_eq!(
        winners.len(),
        1,
        "{b}: exactly one claim succeeds; statuses: {statuses:?}"
    );
    let winner = winners[0];
    let won = &answers
        .iter()
        .find(|(u, _)| u.id == winner.id)
        .expect("winner's answer")
        .1;
    assert_eq!(
        won.body["owner"]["id"], winner.id,
        "{b}: the winner owns it: {}",
        won.body
    );

    for (rep, r) in answers.iter().filter(|(u, _)| u.id != winner.id) {
        assert_eq!(
            r.status.as_u16(),
            409,
            "{b}: {} lost and should get a conflict: {}",
            rep.name,
            r.body
        );
        assert_eq!(
            r.content_type(),
            "application/problem+json",
            "{b}: {}",
            rep.name
        );
        let detail = r.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(&winner.name),
            "{b}: {}'s conflict `{detail}` should name the winner {}",
            rep.name,
            winner.name
        );
        assert_eq!(
            r.body["owner"]["name"],
            winner.name.as_str(),
            "{b}: {}: {}",
            rep.name,
            r.body
        );
    }

    // Exactly one claim in the ledger, to the winner; the row agrees.
    let ledger = app.store().ledger(CustomerId(id)).await.expect("ledger");
    let claims: Vec<_> = ledger
        .iter()
        .filter(|e| e.kind == LedgerKind::Claim)
        .collect();
    assert_eq!(claims.len(), 1, "{b}: one claim event, got {ledger:?}");
    assert_eq!(
        claims[0].to_user.map(|u| u.0),
        Some(winner.id),
        "{b}: the event names the winner"
    );
    let now = app
        .get(winner, &format!("/api/v1/customers/{id}"))
        .await
        .assert_status(200);
    assert_eq!(
        now.body["owner"]["id"], winner.id,
        "{b}: the customer row agrees"
    );
    let mut history = app
        .get(winner, &format!("/api/v1/customers/{id}/ownership"))
        .await
        .assert_status(200);
    let events = history.body["events"].take();
    let kinds: Vec<_> = events
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        ["create", "release", "claim"],
        "{b}: history through the API"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_claims_have_one_winner() {
    for backend in BACKENDS {
        let app = TestApp::start(backend).await;
        race(&app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_claims_over_two_postgres_instances_have_one_winner() {
    let app = TestApp::start_instances(Backend::Postgres, 2).await;
    assert_eq!(app.bases.len(), 2);
    assert_ne!(app.bases[0], app.bases[1], "two servers");
    race(&app).await;
}
