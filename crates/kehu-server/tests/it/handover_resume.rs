//! A hand-over whose instance died mid-way (its row left `running`, its lease run out) is
//! finished by the next instance that looks: every customer moved once, the report complete;
//! on PostgreSQL two instances looking at once resume it once.

use crate::harness::{Org, TestApp, TestUser, fresh_phone, id_of, runner};
use chrono::{DateTime, Duration, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::LedgerKind;
use kehu_server::handover;
use kehu_store::Store;
use kehu_store::handovers::{HandoverProgress, Lease, NewHandover};
use kehu_testkit::{BACKENDS, Backend};
use serde_json::json;

#[expect(
    clippy::disallowed_methods,
    reason = "tests start from the real present"
)]
fn real_now() -> DateTime<Utc> {
    Utc::now()
}

/// `n` customers of `owner`, by id.
async fn customers(app: &TestApp, owner: &TestUser, n: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let c = app
            .customer(owner, &format!("交接客户{i}号"), &fresh_phone())
            .await;
        ids.push(id_of(&c));
    }
    ids
}

/// What a dead instance leaves behind: a hand-over of all `ids` to `to` started by the
/// manager at `at`, of which it moved the first `moved` (recording progress only at the first
/// `recorded`), its lease running out two minutes after `at`.
async fn abandoned(
    o: &Org,
    ids: &[i64],
    to: &TestUser,
    moved: usize,
    recorded: usize,
    at: DateTime<Utc>,
) -> i64 {
    let app = &o.app;
    let moves: Vec<(i64, i64)> = ids.iter().map(|c| (*c, to.id)).collect();
    let target = json!({"to": "rep", "user_id": to.id}).to_string();
    let moves = json!(moves).to_string();
    let lease = Lease {
        token: "dead-instance",
        until: at + Duration::minutes(2),
    };
    let new = NewHandover {
        from: UserId(o.rep_a.id),
        target_json: &target,
        reason: "离职交接",
        moves_json: &moves,
        total: ids.len(),
        by: UserId(o.manager.id),
    };
    let id = app
        .store()
        .start_handover(&new, &lease, at)
        .await
        .expect("start");
    for c in &ids[..moved] {
        app.post(
            &o.manager,
            &format!("/api/v1/customers/{c}/transfer"),
            json!({"to": to.id, "reason": "离职交接"}),
        )
        .await
        .assert_status(200);
    }
    let progress = HandoverProgress {
        next_move: recorded,
        moved: recorded,
        skipped_json: "[]",
        finished: None,
    };
    let held = app
        .store()
        .handover_progress(id, &lease, &progress)
        .await
        .expect("progress");
    assert!(held, "the dead instance held its lease");
    id
}

/// Asserts every customer went to `to` with exactly one transfer in its ledger.
async fn moved_once(app: &TestApp, ids: &[i64], to: &TestUser) {
    let b = app.label();
    let mine = app.list_ids(to, "scope=mine&limit=200").await;
    for c in ids {
        assert!(mine.contains(c), "{b}: customer {c} reached {}", to.name);
        let kinds: Vec<LedgerKind> = app
            .store()
            .ledger(CustomerId(*c))
            .await
            .expect("ledger")
            .iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [LedgerKind::Create, LedgerKind::Transfer],
            "{b}: {c}"
        );
    }
}

async fn status(store: &Store, id: i64) -> (String, i64, String) {
    let (h, _) = store.handover(id).await.expect("read").expect("exists");
    (h.status, h.moved, h.skipped)
}

#[tokio::test]
async fn an_abandoned_hand_over_is_finished_once_and_a_live_one_is_left_alone() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let ids = customers(app, &o.rep_a, 30).await;
        let start = real_now();
        // Died after moving 27 of 30, having recorded 25.
        let id = abandoned(&o, &ids, &o.rep_b, 27, 25, start).await;
        let at =
            |minutes: i64| runner(app, app.store().clone(), start + Duration::minutes(minutes));
        // A minute later its lease still holds: it may be alive, so it is left alone.
        let early = handover::resume_stale(&at(1)).await.expect("resume");
        assert!(early.is_empty(), "{b:?}: {early:?}");
        assert_eq!(status(app.store(), id).await.0, "running", "{b:?}");
        // Ten minutes later it was abandoned: finished here, the report complete.
        let resumed = handover::resume_stale(&at(10)).await.expect("resume");
        assert_eq!(resumed, [id], "{b:?}");
        assert_eq!(
            status(app.store(), id).await,
            ("done".to_owned(), 30, "[]".to_owned()),
            "{b:?}"
        );
        moved_once(app, &ids, &o.rep_b).await;
        // Done is done.
        let again = handover::resume_stale(&at(20)).await.expect("resume");
        assert!(again.is_empty(), "{b:?}: {again:?}");
    }
}

#[tokio::test]
async fn a_hand_over_from_before_plans_were_stored_is_replanned_from_its_target() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let ids = customers(app, &o.rep_a, 4).await;
        let start = real_now();
        let id = abandoned(&o, &ids, &o.rep_b, 1, 0, start).await;
        // As migration 0017 leaves an older row: no plan, no lease.
        app.store()
            .execute_admin(&format!(
                "update handovers set moves = null, lease_token = null, lease_until = null \
                 where id = {id}"
            ))
            .await
            .expect("age the row");
        // The job runner's pass (what `kehu serve` runs every minute) picks it up.
        let state = runner(app, app.store().clone(), start);
        kehu_server::jobs::run_once(&state).await.expect("pass");
        let (status, moved, _) = status(app.store(), id).await;
        assert_eq!((status.as_str(), moved), ("done", 3), "{b:?}");
        moved_once(app, &ids, &o.rep_b).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_postgres_instances_resume_an_abandoned_hand_over_once() {
    let o = Org::with_app(TestApp::start(Backend::Postgres).await).await;
    let app = &o.app;
    let ids = customers(app, &o.rep_a, 60).await;
    let start = real_now();
    let id = abandoned(&o, &ids, &o.rep_b, 10, 0, start).await;
    let later = start + Duration::minutes(10);
    let other = Store::connect(&app.db.url).await.expect("second store");
    let (one, two) = (
        runner(app, app.store().clone(), later),
        runner(app, other, later),
    );
    let (a, b) = tokio::join!(handover::resume_stale(&one), handover::resume_stale(&two));
    let mut all = a.expect("first");
    all.extend(b.expect("second"));
    assert_eq!(all, [id], "resumed by exactly one instance");
    assert_eq!(
        status(app.store(), id).await,
        ("done".to_owned(), 60, "[]".to_owned())
    );
    moved_once(app, &ids, &o.rep_b).await;
}
