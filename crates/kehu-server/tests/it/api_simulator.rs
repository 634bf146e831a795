//! The routing simulator over HTTP, on both engines: a draft that moves leads from one rep to
//! another shows it beside the live rules over the same leads, with target shares, fairness
//! and a breach estimate; nothing is written (assignments, rule state, events and
//! notifications unchanged); reps are refused; bad input names the field.

use crate::api_routing::{lead, round_robin, set_rules};
use crate::harness::Org;
use crate::leads_kit::source;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use kehu_testkit::BACKENDS;
use reqwest::Method;
use serde_json::{Value, json};

pub(crate) const SIMULATE: &str = "/api/v1/routing/simulate";

/// An hour either side of the real present the server runs in, as RFC 3339.
pub(crate) fn around_now() -> (String, String) {
    #[expect(
        clippy::disallowed_methods,
        reason = "leads are received at the real present the server runs in"
    )]
    let now = Utc::now();
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    (at(now - Duration::hours(1)), at(now + Duration::hours(1)))
}

/// Everything a simulation must not change, read straight from the database: each lead's
/// status, assignee and stored decision, each rule's strategy state, and how many lead
/// events and notifications there are.
async fn written(
    url: &str,
) -> (
    Vec<(i64, String, Option<i64>, Option<String>)>,
    Vec<(i64, String, i64)>,
    i64,
) {
    const LEADS: &str = "select id, status, assigned_to, routing from leads order by id";
    const STATE: &str = "select rule_id, state, version from routing_state order by rule_id";
    const COUNT: &str =
        "select (select count(*) from lead_events) + (select count(*) from notifications)";
    macro_rules! read {
        ($pool:expr) => {{
            let pool = $pool;
            let leads = sqlx::query_as(LEADS).fetch_all(&pool).await.expect("leads");
            let state = sqlx::query_as(STATE).fetch_all(&pool).await.expect("state");
            let count = sqlx::query_scalar(COUNT)
                .fetch_one(&pool)
                .await
                .expect("count");
            (leads, state, count)
        }};
    }
    if url.starts_with("sqlite:") {
        read!(sqlx::SqlitePool::connect(url).await.expect("sqlite"))
    } else {
        read!(sqlx::PgPool::connect(url).await.expect("postgres"))
    }
}

/// `(user, received)` of each rep of one side of an answer.
fn received(side: &Value) -> Vec<(i64, i64)> {
    side["reps"]
        .as_array()
        .unwrap_or_else(|| panic!("no reps in {side}"))
        .iter()
        .map(|r| {
            (
                r["user"].as_i64().unwrap_or(0),
                r["received"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_simulated_draft_moves_leads_beside_the_live_rules_and_writes_nothing() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        o.app
            .send(
                &o.admin,
                Method::PUT,
                &format!("/api/v1/lead-sources/{src}/response-window"),
                Some(&json!({ "minutes": 90 })),
            )
            .await
            .assert_status(200);
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a, &o.rep_b])])).await;
        let mut first = None;
        for n in 0..4 {
            let l = lead(&o, &token, n).await;
            first.get_or_insert(l["id"].as_i64().expect("id"));
        }
        // rep_a answers their first lead in time: the one settled window, not breached.
        let respond = format!("/api/v1/leads/{}/respond", first.unwrap_or_default());
        o.app
            .post(&o.rep_a, &respond, json!({}))
            .await
            .assert_status(200);
        let before = written(&o.app.db.url).await;

        // The draft gives rep_a's share to south_rep, three to one after rep_b.
        let draft = json!([{ "name": "华东+华南", "strategy": "weighted_round_robin",
            "target": { "reps": [{ "user": o.rep_b.id, "weight": 3 },
                                 { "user": o.south_rep.id, "weight": 1 }] } }]);
        let (from, to) = around_now();
        let body = json!({ "from": from, "to": to, "rules": draft });
        let r = o
            .app
            .post(&o.admin, SIMULATE, body)
            .await
            .assert_status(200)
            .body;
        let (live, sim) = (&r["live"], &r["draft"]);
        assert_eq!(
            received(live),
            [(o.rep_a.id, 2), (o.rep_b.id, 2)],
            "{b:?}: {r}"
        );
        assert_eq!(
            received(sim),
            [(o.rep_b.id, 3), (o.south_rep.id, 1)],
            "{b:?}: {r}"
        );
        assert_eq!(
            (live["leads"].clone(), sim["leads"].clone()),
            (json!(4), json!(4))
        );
        assert_eq!(sim["reps"][0]["share"], 0.75, "{b:?}");
        assert_eq!(sim["reps"][1]["target"], 0.25, "{b:?}");
        assert_eq!(sim["reps"][0]["name"], o.rep_b.name, "{b:?}");
        assert_eq!(
            live["fairness"],
            json!({ "max_deviation": 0.0, "gini": 0.0 }),
            "{b:?}"
        );
        assert_eq!(sim["fairness"]["gini"], 0.25, "{b:?}: counts 3 and 1");
        // One answered lead, none late: a rate of 0 for everyone.
        assert_eq!(sim["expected_breaches"], 0.0, "{b:?}: {r}");

        let after = written(&o.app.db.url).await;
        assert_eq!(after, before, "{b:?}: the simulation wrote nothing");
        let live_only = json!({ "from": from, "to": to });
        let r = o
            .app
            .post(&o.manager, SIMULATE, live_only)
            .await
            .assert_status(200)
            .body;
        assert_eq!(r.get("draft"), None, "{b:?}: no draft, live only");
        assert_eq!(
            received(&r["live"]),
            [(o.rep_a.id, 2), (o.rep_b.id, 2)],
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn reps_are_refused_and_bad_simulation_input_names_the_field() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (from, to) = around_now();
        o.app
            .post(&o.rep_a, SIMULATE, json!({ "from": from, "to": to }))
            .await
            .assert_problem(403);
        let bad = json!({ "from": "yesterday", "to": to, "rules": [
            round_robin("ok", &[], &[&o.rep_a]),
            { "name": "empty", "target": { "reps": [] }, "strategy": "round_robin" },
            { "name": "ghost", "target": { "reps": [{ "user": 999_999 }] }, "strategy": "least_loaded" },
        ] });
        o.app.post(&o.admin, SIMULATE, bad).await.assert_fields(&[
            "from",
            "rules[1].target.reps",
            "rules[2].target.reps[0].user",
        ]);
        let long = json!({ "from": "2025-01-01", "to": "2026-01-02" });
        let r = o
            .app
            .post(&o.admin, SIMULATE, long)
            .await
            .assert_fields(&["to"]);
        assert_eq!(
            r.body["errors"][0]["code"], "simulate.range_too_long",
            "{b:?}"
        );
        let year = json!({ "from": "2024-01-01", "to": "2024-12-31" });
        let r = o
            .app
            .post(&o.admin, SIMULATE, year)
            .await
            .assert_status(200);
        assert_eq!(r.body["live"]["leads"], 0, "{b:?}: a leap year is allowed");
        o.app
            .post(&o.admin, SIMULATE, json!({ "to": to }))
            .await
            .assert_fields(&["from"]);
        let typo = json!({ "from": from, "to": to, "rules": [{ "name": "x",
            "target": { "reps": [] }, "strategy": "random" }] });
        o.app
            .post(&o.admin, SIMULATE, typo)
            .await
            .assert_fields(&["rules[0].strategy"]);
        o.app
            .post(
                &o.admin,
                SIMULATE,
                json!({ "from": from, "to": to, "dry": true }),
            )
            .await
            .assert_fields(&["dry"]);
    }
}
