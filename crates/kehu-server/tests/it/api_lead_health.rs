//! Allocation health on both engines: shares against targets by rule weight, unanswered and
//! missed-window leads per rep (with the clock moved past the window), backlog per region,
//! scoped to the manager's team; reps are refused.

use crate::api_routing::set_rules;
use crate::harness::{Org, fresh_phone, runner};
use crate::leads_kit::{send, source};
use crate::pages::signed_in;
use chrono::Duration;
use kehu_domain::ids::UserId;
use reqwest::Method;
use serde_json::{Value, json};

fn rep_line(body: &Value, id: i64) -> &Value {
    body["reps"]
        .as_array()
        .and_then(|r| r.iter().find(|l| l["user"]["id"] == id))
        .unwrap_or_else(|| panic!("no line for {id}: {body}"))
}

#[tokio::test]
async fn shares_follow_the_weights_and_missed_windows_are_counted() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        o.app
            .send(
                &o.admin,
                Method::PUT,
                &format!("/api/v1/lead-sources/{src}/response-window"),
                Some(&json!({ "minutes": 30 })),
            )
            .await
            .assert_status(200);
        set_rules(&o, json!([{ "name": "华东", "strategy": "weighted_round_robin",
            "target": { "reps": [{ "user": o.rep_a.id, "weight": 3 }, { "user": o.rep_b.id, "weight": 1 }] } }]))
            .await;
        let mut first = None;
        for n in 0..4 {
            let body = json!({ "company": format!("苏州测试{n}号"), "phone": fresh_phone(), "province": "江苏省" });
            let r = send(&o.app, &token, Some(&format!("h{n}")), &body)
                .await
                .assert_status(201);
            first.get_or_insert(r.body["received_at"].as_str().expect("at").to_owned());
        }
        // rep_b answers theirs in time.
        let mine = o
            .app
            .get(&o.rep_b, "/api/v1/leads")
            .await
            .assert_status(200);
        let id = mine.items()[0]["id"].as_i64().expect("lead");
        o.app
            .post(&o.rep_b, &format!("/api/v1/leads/{id}/respond"), json!({}))
            .await
            .assert_status(200);

        let h = o
            .app
            .get(&o.manager, "/api/v1/leads/health")
            .await
            .assert_status(200)
            .body;
        let (a, bb) = (rep_line(&h, o.rep_a.id), rep_line(&h, o.rep_b.id));
        assert_eq!(
            (a["received_30"].clone(), bb["received_30"].clone()),
            (json!(3), json!(1)),
            "{b:?}"
        );
        assert_eq!(
            (a["share_30"].clone(), a["target"].clone()),
            (json!(0.75), json!(0.75)),
            "{b:?}"
        );
        assert_eq!(
            (a["unanswered"].clone(), bb["unanswered"].clone()),
            (json!(3), json!(0)),
            "{b:?}"
        );
        assert_eq!(a["windows_missed_30"], 0, "{b:?}: not due yet");
        assert_eq!(h["regions"][0]["province"], "江苏省", "{b:?}: {h}");
        assert_eq!(h["regions"][0]["unanswered"], 3, "{b:?}");
        assert_eq!(h["waiting"].as_array().map(Vec::len), Some(3), "{b:?}");
        // Scope: the other team's manager sees only their own reps.
        let south = o
            .app
            .get(&o.other_manager, "/api/v1/leads/health")
            .await
            .assert_status(200)
            .body;
        let ids: Vec<Value> = south["reps"]
            .as_array()
            .expect("reps")
            .iter()
            .map(|l| l["user"]["id"].clone())
            .collect();
        assert_eq!(ids, [json!(o.south_rep.id)], "{b:?}");
        o.app
            .get(&o.rep_a, "/api/v1/leads/health")
            .await
            .assert_problem(403);

        // An hour on, rep_a's three windows have passed unanswered.
        let start = chrono::DateTime::parse_from_rfc3339(first.as_deref().expect("at"))
            .expect("at")
            .to_utc();
        let later = runner(&o.app, o.app.store().clone(), start + Duration::minutes(60));
        let manager = o
            .app
            .store()
            .actor(UserId(o.manager.id))
            .await
            .expect("read")
            .expect("mgr");
        let r = kehu_server::leads::health::report(&later, &manager)
            .await
            .expect("report");
        let line = r
            .reps
            .iter()
            .find(|l| l.counts.user.0 == o.rep_a.id)
            .expect("rep_a");
        assert_eq!(line.counts.breached_30, 3, "{b:?}");

        // The page draws one bar per rep.
        let web = signed_in(&o.app, "mgr_east").await;
        let page = web.get("/leads/health").await.status(200);
        assert_eq!(page.count("#health-reps tr.rep"), 2, "{b:?}");
        let widths = page.attrs("#health-reps svg.share-bar rect.share", "width");
        assert_eq!(widths, ["120", "40"], "{b:?}: 75% and 25% of 160 px");
    }
}
