//! The availability feed on both engines, and the failure story it exists for: HR renames a
//! field, and instead of a round robin silently starving a rep for a week, the push is
//! refused naming the field, the admins are told once, every routing decision says the feed
//! was not trusted and what it did instead, and with the hand-only fallback both reps get
//! leads again. The heartbeat tells the admins once when no good push arrives in time.

use crate::api_routing::{lead, round_robin, set_rules};
use crate::harness::{Org, TestUser, runner, ui_fmt};
use crate::leads_kit::source;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use kehu_domain::ids::UserId;
use kehu_domain::routing::RoutingRule;
use kehu_server::jobs;
use reqwest::Method;
use serde_json::{Value, json};

const FEED: &str = "/api/v1/availability";

#[expect(
    clippy::disallowed_methods,
    reason = "the feed's leave is relative to the real present the server runs in"
)]
fn real_now() -> DateTime<Utc> {
    Utc::now()
}

fn day(d: i64) -> String {
    (real_now() + Duration::days(d)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn push(o: &Org, body: &Value) -> crate::harness::Resp {
    o.app.send(&o.admin, Method::PUT, FEED, Some(body)).await
}

async fn count_kind(o: &Org, user: &TestUser, kind: &str) -> usize {
    let inbox = o
        .app
        .get(user, "/api/v1/notifications")
        .await
        .assert_status(200);
    inbox.items().iter().filter(|n| n["kind"] == kind).count()
}

#[tokio::test]
async fn a_renamed_field_is_refused_alerted_once_explained_and_never_starves_a_rep() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a, &o.rep_b])])).await;
        let good = json!({ "version": 1, "records": [
            { "user": "rep_b", "from": day(-1), "until": day(7), "note": "年假" } ] });
        let ok = push(&o, &good).await.assert_status(200);
        assert_eq!(ok.body["accepted"], 1, "{b:?}");
        // rep_b is away: legitimately skipped, with the reason.
        let l = lead(&o, &token, 1).await;
        assert_eq!(l["assigned_to"]["id"], o.rep_a.id, "{b:?}: {l}");
        assert_eq!(
            l["routing"]["availability"],
            Value::Null,
            "{b:?}: a healthy feed"
        );

        // HR renames `from` to `start`: refused whole, the field named.
        let renamed = json!({ "version": 1, "records": [
            { "user": "rep_b", "start": day(-1), "until": day(1) } ] });
        push(&o, &renamed)
            .await
            .assert_fields(&["records[0].start", "records[0].from"]);
        push(&o, &renamed).await.assert_problem(422);
        let garbled = o
            .app
            .client
            .put(format!("{}{FEED}", o.app.bases[0]))
            .bearer_auth(&o.admin.token)
            .body("{\"version\": 1, \"records\": [")
            .send()
            .await
            .expect("send");
        assert_eq!(garbled.status(), 422, "{b:?}");
        assert_eq!(
            count_kind(&o, &o.admin, "feed_invalid").await,
            1,
            "{b:?}: told once"
        );
        let status = o.app.get(&o.admin, FEED).await.assert_status(200);
        assert_eq!(
            status.body["health"]["code"], "invalid",
            "{b:?}: {}",
            status.body
        );
        // The latest refusal's errors: the push that was not even JSON.
        assert_eq!(status.body["last_errors"][0]["field"], "body", "{b:?}");
        assert_eq!(
            status.body["records"], 1,
            "{b:?}: the last good push is kept"
        );

        // Routing goes on with the last known leave and says so on every decision.
        let l = lead(&o, &token, 2).await;
        assert_eq!(l["assigned_to"]["id"], o.rep_a.id, "{b:?}");
        assert_eq!(
            l["routing"]["availability"]["health"]["code"], "invalid",
            "{b:?}: {l}"
        );
        assert_eq!(
            l["routing"]["availability"]["fallback"], "last_known",
            "{b:?}"
        );
        let line = l["routing_text"][1].as_str().unwrap_or_default().to_owned();
        let fallback = ui_fmt("en", "routing.fallback_last_known", &[]);
        assert!(
            line.starts_with("Availability feed refused since"),
            "{b:?}: {line}"
        );
        assert!(line.ends_with(&fallback), "{b:?}: {line}");

        // With the hand-only fallback the feed's leave is set aside: nobody starves.
        o.app
            .send(
                &o.admin,
                Method::PUT,
                "/api/v1/settings/availability",
                Some(&json!({ "stale_after_hours": 24, "fallback": "hand_only" })),
            )
            .await
            .assert_status(200);
        let mut got = Vec::new();
        for n in 3..7 {
            let l = lead(&o, &token, n).await;
            assert_eq!(
                l["routing"]["availability"]["fallback"], "hand_only",
                "{b:?}"
            );
            got.push(l["assigned_to"]["id"].as_i64().expect("assignee"));
        }
        let b_got = got.iter().filter(|&&u| u == o.rep_b.id).count();
        assert_eq!(b_got, 2, "{b:?}: {got:?} — round robin shares again");

        // A good push heals the feed; decisions carry no alert any more.
        push(&o, &json!({ "version": 1, "records": [] }))
            .await
            .assert_status(200);
        let l = lead(&o, &token, 8).await;
        assert_eq!(l["routing"]["availability"], Value::Null, "{b:?}: {l}");
        let status = o.app.get(&o.admin, FEED).await.assert_status(200);
        assert_eq!(status.body["health"]["code"], "healthy", "{b:?}");
    }
}

#[tokio::test]
async fn the_heartbeat_tells_admins_once_and_a_stale_feed_is_named_in_decisions() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        push(&o, &json!({ "version": 1, "records": [] }))
            .await
            .assert_status(200);
        let start = real_now();
        let pass = |hours: i64| {
            let state = runner(
                &o.app,
                o.app.store().clone(),
                start + Duration::hours(hours),
            );
            async move { jobs::run_once(&state).await.expect("pass") }
        };
        pass(23).await;
        assert_eq!(
            count_kind(&o, &o.admin, "feed_stale").await,
            0,
            "{b:?}: within 24 h"
        );
        pass(25).await;
        pass(26).await;
        assert_eq!(
            count_kind(&o, &o.admin, "feed_stale").await,
            1,
            "{b:?}: once"
        );
        assert_eq!(
            count_kind(&o, &o.rep_a, "feed_stale").await,
            0,
            "{b:?}: admins only"
        );
        // A lead routed with the clock 25 hours on says the feed is stale: saving the rules
        // then routes the waiting lead at once.
        let l = lead(&o, &token, 1).await;
        assert_eq!(l["status"], "unrouted", "{b:?}: no rules yet");
        let later = runner(&o.app, o.app.store().clone(), start + Duration::hours(25));
        let admin = o.app.store().actor(UserId(o.admin.id)).await.expect("load");
        let rules: Vec<RoutingRule> =
            serde_json::from_value(json!([round_robin("华东", &[], &[&o.rep_a])])).expect("rules");
        kehu_server::routing::save_rules(&later, &admin.expect("admin"), &rules)
            .await
            .expect("saved");
        let id = l["id"].as_i64().expect("id");
        let routed = o
            .app
            .get(&o.admin, &format!("/api/v1/leads/{id}"))
            .await
            .assert_status(200);
        assert_eq!(
            routed.body["assigned_to"]["id"], o.rep_a.id,
            "{b:?}: {}",
            routed.body
        );
        assert_eq!(
            routed.body["routing"]["availability"]["health"]["code"], "stale",
            "{b:?}: {}",
            routed.body
        );
    }
}

#[tokio::test]
async fn only_admins_push_and_every_bad_record_is_named() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let body = json!({ "version": 1, "records": [] });
        o.app
            .send(&o.rep_a, Method::PUT, FEED, Some(&body))
            .await
            .assert_problem(403);
        o.app.get(&o.manager, FEED).await.assert_problem(403);
        push(&o, &json!({ "version": 2, "records": [] }))
            .await
            .assert_fields(&["version"]);
        push(
            &o,
            &json!({ "version": 1, "records": [
            { "user": "nobody_here", "from": day(0), "until": day(2) },
            { "user": "rep_a", "from": day(3), "until": day(2) } ] }),
        )
        .await
        .assert_fields(&["records[1].until"]);
        push(
            &o,
            &json!({ "version": 1, "records": [
            { "user": "nobody_here", "from": day(0), "until": day(2) } ] }),
        )
        .await
        .assert_fields(&["records[0].user"]);
        o.app
            .send(
                &o.rep_a,
                Method::PUT,
                "/api/v1/settings/availability",
                Some(&json!({ "stale_after_hours": 24, "fallback": "hand_only" })),
            )
            .await
            .assert_problem(403);
        o.app
            .send(
                &o.admin,
                Method::PUT,
                "/api/v1/settings/availability",
                Some(&json!({ "stale_after_hours": 0, "fallback": "hand_only" })),
            )
            .await
            .assert_fields(&["stale_after_hours"]);
        // Nothing was accepted: no feed leave exists.
        let leaves = o
            .app
            .get(&o.admin, &format!("/api/v1/users/{}/leaves", o.rep_a.id))
            .await;
        assert_eq!(leaves.assert_status(200).items().len(), 0, "{b:?}");
    }
}
