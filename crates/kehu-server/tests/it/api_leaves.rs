//! Leave (休假) over the API: who may record and see whose, bad input named by field, and
//! cancelling — on both engines.
#![expect(
    clippy::disallowed_methods,
    reason = "leave is recorded relative to the real present the servers run in"
)]

use crate::harness::{Org, TestApp, TestUser};
use chrono::{Duration, SecondsFormat, Utc};
use kehu_testkit::BACKENDS;
use reqwest::Method;
use serde_json::{Value, json};

fn at(days: i64) -> String {
    (Utc::now() + Duration::days(days)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn week(note: &str) -> Value {
    json!({ "from": at(3), "until": at(10), "note": note })
}

fn path(user: &TestUser) -> String {
    format!("/api/v1/users/{}/leaves", user.id)
}

/// The notes of `whose` leave as `user` sees them.
async fn notes(app: &TestApp, user: &TestUser, whose: &TestUser) -> Vec<String> {
    app.get(user, &path(whose))
        .await
        .assert_status(200)
        .items()
        .iter()
        .map(|l| l["note"].as_str().unwrap_or("?").to_owned())
        .collect()
}

type AuditRow = (Option<String>, Option<String>);

/// The audit rows (old, new) of `user`'s leave, oldest first, read straight from the database.
async fn leave_audit(url: &str, user: i64) -> Vec<AuditRow> {
    const SQL: &str = "select old_value, new_value from audit_log \
         where entity = 'user' and entity_id = $1 and field = 'leave' order by id";
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.expect("sqlite");
        sqlx::query_as(SQL)
            .bind(user)
            .fetch_all(&pool)
            .await
            .expect("audit")
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("postgres");
        sqlx::query_as(SQL)
            .bind(user)
            .fetch_all(&pool)
            .await
            .expect("audit")
    }
}

#[tokio::test]
async fn reps_record_their_own_leave_managers_their_teams_admins_anyones() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let mine = app
            .post(&o.rep_a, &path(&o.rep_a), week("年假"))
            .await
            .assert_status(201);
        assert_eq!(mine.body["user_id"], o.rep_a.id, "{b:?}");
        assert_eq!(mine.body["source"], "manual", "{b:?}");
        assert_eq!(
            mine.body["recorded_by_name"],
            o.rep_a.name.as_str(),
            "{b:?}"
        );
        app.post(&o.manager, &path(&o.rep_a), week("病假"))
            .await
            .assert_status(201);
        app.post(&o.admin, &path(&o.south_rep), week("婚假"))
            .await
            .assert_status(201);
        assert_eq!(
            notes(app, &o.rep_a, &o.rep_a).await,
            ["年假", "病假"],
            "{b:?}"
        );
        assert_eq!(
            notes(app, &o.manager, &o.rep_a).await,
            ["年假", "病假"],
            "{b:?}"
        );
        assert_eq!(
            notes(app, &o.admin, &o.rep_a).await,
            ["年假", "病假"],
            "{b:?}"
        );
        assert_eq!(
            notes(app, &o.other_manager, &o.south_rep).await,
            ["婚假"],
            "{b:?}"
        );
        // A manager records their own leave too.
        app.post(&o.manager, &path(&o.manager), week("出差"))
            .await
            .assert_status(201);
    }
}

#[tokio::test]
async fn someone_elses_leave_is_not_found_whoever_asks() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = app
            .post(&o.rep_a, &path(&o.rep_a), week("年假"))
            .await
            .assert_status(201)
            .body["id"]
            .as_i64()
            .expect("id");
        // A colleague, a manager of another team, anyone about a user that does not exist.
        for (who, whose) in [
            (&o.rep_b, &o.rep_a),
            (&o.other_manager, &o.rep_a),
            (&o.south_rep, &o.rep_a),
            (&o.rep_a, &o.manager),
        ] {
            app.get(who, &path(whose)).await.assert_problem(404);
            app.post(who, &path(whose), week("代请"))
                .await
                .assert_problem(404);
            app.send(who, Method::DELETE, &format!("{}/{id}", path(whose)), None)
                .await
                .assert_problem(404);
        }
        app.get(&o.admin, "/api/v1/users/999999/leaves")
            .await
            .assert_problem(404);
        app.get(&o.admin, "/api/v1/users/abc/leaves")
            .await
            .assert_problem(404);
        // Nothing was written by the refused requests.
        assert_eq!(notes(app, &o.rep_a, &o.rep_a).await, ["年假"], "{b:?}");
        assert!(notes(app, &o.manager, &o.manager).await.is_empty(), "{b:?}");
    }
}

#[tokio::test]
async fn bad_leave_names_the_field_and_writes_nothing() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let p = path(&o.rep_a);
        app.post(&o.rep_a, &p, json!({}))
            .await
            .assert_fields(&["from", "until"]);
        app.post(&o.rep_a, &p, json!({ "from": at(5), "until": at(5) }))
            .await
            .assert_fields(&["until"]);
        app.post(&o.rep_a, &p, json!({ "from": at(5), "until": at(2) }))
            .await
            .assert_fields(&["until"]);
        app.post(&o.rep_a, &p, json!({ "from": at(5), "until": at(400) }))
            .await
            .assert_fields(&["until"]);
        app.post(&o.rep_a, &p, json!({ "from": at(-90), "until": at(-80) }))
            .await
            .assert_fields(&["from"]);
        app.post(&o.rep_a, &p, json!({ "from": "next week", "until": at(9) }))
            .await
            .assert_fields(&["from"]);
        app.post(
            &o.rep_a,
            &p,
            json!({ "from": at(1), "until": at(2), "note": "假".repeat(201) }),
        )
        .await
        .assert_fields(&["note"]);
        app.post(
            &o.rep_a,
            &p,
            json!({ "from": at(1), "until": at(2), "kind": "annual" }),
        )
        .await
        .assert_problem(422);
        assert!(notes(app, &o.rep_a, &o.rep_a).await.is_empty(), "{b:?}");
    }
}

#[tokio::test]
async fn a_cancelled_leave_is_gone_and_audited() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = app
            .post(&o.rep_a, &path(&o.rep_a), week("年假"))
            .await
            .assert_status(201)
            .body["id"]
            .as_i64()
            .expect("id");
        let one = format!("{}/{id}", path(&o.rep_a));
        // The manager cancels it; a second cancel finds nothing.
        app.send(&o.manager, Method::DELETE, &one, None)
            .await
            .assert_status(204);
        app.send(&o.rep_a, Method::DELETE, &one, None)
            .await
            .assert_problem(404);
        assert!(notes(app, &o.rep_a, &o.rep_a).await.is_empty(), "{b:?}");
        // A leave id of another user is not found through this user's path.
        let theirs = app
            .post(&o.rep_b, &path(&o.rep_b), week("病假"))
            .await
            .assert_status(201)
            .body["id"]
            .as_i64()
            .expect("id");
        app.send(
            &o.rep_a,
            Method::DELETE,
            &format!("{}/{theirs}", path(&o.rep_a)),
            None,
        )
        .await
        .assert_problem(404);
        // The audit log holds the record (new value) and the cancellation (old value).
        let audited = leave_audit(&app.db.url, o.rep_a.id).await;
        assert_eq!(audited.len(), 2, "{b:?}: {audited:?}");
        assert!(
            audited[0].0.is_none() && audited[0].1.as_deref().is_some_and(|v| v.contains("年假")),
            "{b:?}: {audited:?}"
        );
        assert!(
            audited[1].1.is_none() && audited[1].0 == audited[0].1,
            "{b:?}: {audited:?}"
        );
    }
}
