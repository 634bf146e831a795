//! The lead pool (认领池) on both engines: a rule sends leads to a team's pool; the team's
//! reps see them with what is known of the person (earlier inquiries, the customer's past
//! owners, the last follow-up) and exactly one of many concurrent claimers gets each, the
//! others told who; reps of other teams neither see nor claim them.

use crate::api_routing::set_rules;
use crate::harness::{Org, fresh_phone, id_of, ui_fmt};
use crate::leads_kit::{send, source};
use crate::pages::signed_in;
use futures::future::join_all;
use kehu_domain::ids::UserId;
use serde_json::{Value, json};

async fn east_team(o: &Org) -> i64 {
    let actor = o
        .app
        .store()
        .actor(UserId(o.rep_a.id))
        .await
        .expect("read")
        .expect("rep");
    actor.team_id.expect("team").0
}

async fn pool_rule(o: &Org) -> i64 {
    let team = east_team(o).await;
    set_rules(
        o,
        json!([{ "name": "华东认领", "target": { "lead_pool": team },
                          "strategy": "round_robin" }]),
    )
    .await;
    team
}

#[tokio::test]
async fn a_pooled_lead_is_claimed_by_exactly_one_rep_of_the_team() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        o.app
            .send(
                &o.admin,
                reqwest::Method::PUT,
                &format!("/api/v1/lead-sources/{src}/response-window"),
                Some(&json!({ "minutes": 30 })),
            )
            .await
            .assert_status(200);
        let team = pool_rule(&o).await;
        let r = send(
            &o.app,
            &token,
            Some("p1"),
            &json!({ "company": "无锡新材料", "phone": fresh_phone() }),
        )
        .await
        .assert_status(201);
        let id = id_of(&r.body);
        let l = o
            .app
            .get(&o.admin, &format!("/api/v1/leads/{id}"))
            .await
            .assert_status(200)
            .body;
        assert_eq!(l["status"], "pooled", "{b:?}: {l}");
        assert_eq!(l["lead_pool"]["team"], team, "{b:?}");
        assert_eq!(
            l["window_due_at"],
            Value::Null,
            "{b:?}: no clock until claimed"
        );
        let want = ui_fmt(
            "en",
            "routing.pooled",
            &[("rule", "华东认领"), ("team", "华东")],
        );
        assert_eq!(l["routing_text"][0], want, "{b:?}");

        // The team's reps see it; another team's rep does not, by list or by id.
        for rep in [&o.rep_a, &o.rep_b] {
            let pool = o
                .app
                .get(rep, "/api/v1/leads/pool")
                .await
                .assert_status(200);
            let ids: Vec<Value> = pool.items().iter().map(|l| l["id"].clone()).collect();
            assert_eq!(ids, [json!(id)], "{b:?}");
        }
        let south = o
            .app
            .get(&o.south_rep, "/api/v1/leads/pool")
            .await
            .assert_status(200);
        assert!(south.items().is_empty(), "{b:?}");
        o.app
            .get(&o.south_rep, &format!("/api/v1/leads/{id}"))
            .await
            .assert_problem(404);
        let path = format!("/api/v1/leads/{id}/claim");
        o.app
            .post(&o.south_rep, &path, json!({}))
            .await
            .assert_problem(404);

        // Ten claims at once from two reps: one winner, nine told who won.
        let claims = (0..10).map(|i| {
            let rep = if i % 2 == 0 { &o.rep_a } else { &o.rep_b };
            o.app.post(rep, &path, json!({}))
        });
        let answers = join_all(claims).await;
        let won: Vec<_> = answers.iter().filter(|r| r.status == 200).collect();
        assert_eq!(
            won.len(),
            1,
            "{b:?}: {:?}",
            answers.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        let winner = won[0].body["assigned_to"]["name"]
            .as_str()
            .expect("winner")
            .to_owned();
        for lost in answers.iter().filter(|r| r.status != 200) {
            assert_eq!(lost.status, 409, "{b:?}: {}", lost.body);
            let detail = lost.body.to_string();
            assert!(detail.contains(&winner), "{b:?}: {detail}");
        }
        assert!(
            won[0].body["window_due_at"].is_string(),
            "{b:?}: the clock starts at the claim"
        );
        let events = o
            .app
            .get(&o.admin, &format!("/api/v1/leads/{id}/events"))
            .await
            .assert_status(200);
        let kinds: Vec<Value> = events.items().iter().map(|e| e["kind"].clone()).collect();
        assert_eq!(kinds, ["pooled", "claimed"], "{b:?}");
        assert!(
            o.app
                .get(&o.rep_b, "/api/v1/leads/pool")
                .await
                .assert_status(200)
                .items()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn the_pool_shows_the_customers_past_owners_before_the_claim() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        pool_rule(&o).await;
        let phone = fresh_phone();
        let cid = id_of(&o.app.customer(&o.rep_a, "常州恒达机械", &phone).await);
        o.app
            .post(
                &o.rep_a,
                &format!("/api/v1/customers/{cid}/release"),
                json!({ "reason": "暂无需求" }),
            )
            .await
            .assert_status(200);
        let r = send(
            &o.app,
            &token,
            Some("p2"),
            &json!({ "company": "常州恒达机械", "phone": phone }),
        )
        .await
        .assert_status(201);
        let id = id_of(&r.body);
        let h = o
            .app
            .get(&o.rep_b, &format!("/api/v1/leads/{id}/history"))
            .await
            .assert_status(200);
        assert_eq!(
            h.body["past_owners"][0][0], "用户rep_a",
            "{b:?}: {}",
            h.body
        );
        // The pool page puts it in words, with a claim button.
        let web = signed_in(&o.app, "rep_b").await;
        let page = web.get("/leads/pool").await.status(200);
        assert_eq!(page.count("#lead-pool li.card"), 1, "{b:?}");
        let lines = page.texts("#lead-pool .summary li");
        assert!(
            lines.iter().any(|l| l.contains("用户rep_a")),
            "{b:?}: {lines:?}"
        );
        assert_eq!(page.count("form.claim"), 1, "{b:?}");
    }
}

#[tokio::test]
async fn a_rule_with_two_kinds_of_target_is_refused_naming_the_field() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let team = east_team(&o).await;
        let body = json!({ "rules": [{ "name": "x", "target": { "lead_pool": team,
            "reps": [{ "user": o.rep_a.id }] }, "strategy": "round_robin" }] });
        o.app
            .send(
                &o.admin,
                reqwest::Method::PUT,
                "/api/v1/routing-rules",
                Some(&body),
            )
            .await
            .assert_fields(&["rules[0].target"]);
    }
}
