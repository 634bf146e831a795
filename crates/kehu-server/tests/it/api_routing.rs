//! Routing unrouted leads over HTTP, on both engines: the admin's rule list (403 for
//! others, field-named errors, nothing written on bad input), round robin sharing leads
//! evenly with a notification, weighted round robin and least loaded, a rep on leave skipped
//! with the reason shown, a lead no rule takes staying unrouted with the explanation on the
//! API and the lead page, and a burst of leads on two PostgreSQL instances staying fair.

use crate::harness::{Org, TestUser, fresh_phone, id_of, ui_fmt};
use crate::leads_kit::{on_leave, send_and_read, source};
use crate::pages::signed_in;
use reqwest::Method;
use serde_json::{Value, json};

const RULES: &str = "/api/v1/routing-rules";

/// A round-robin rule over `reps`, taking leads of `sources` (all when empty).
pub(crate) fn round_robin(name: &str, sources: &[i64], reps: &[&TestUser]) -> Value {
    let reps: Vec<Value> = reps.iter().map(|r| json!({ "user": r.id })).collect();
    json!({ "name": name, "criteria": { "sources": sources },
            "target": { "reps": reps }, "strategy": "round_robin" })
}

pub(crate) async fn set_rules(o: &Org, rules: Value) -> Value {
    o.app
        .send(
            &o.admin,
            Method::PUT,
            RULES,
            Some(&json!({ "rules": rules })),
        )
        .await
        .assert_status(200)
        .body
}

/// Sends a lead with a fresh phone and answers it as the admin reads it.
pub(crate) async fn lead(o: &Org, token: &str, n: usize) -> Value {
    let body = json!({ "company": format!("测试公司{n}号"), "phone": fresh_phone() });
    send_and_read(o, token, &format!("k{n}"), &body).await
}

#[tokio::test]
async fn admins_set_the_rules_others_are_refused_and_bad_input_names_the_field() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let rules = json!([round_robin("华东", &[], &[&o.rep_a, &o.rep_b])]);
        let saved = set_rules(&o, rules.clone()).await;
        assert_eq!(saved["rules"][0]["name"], "华东", "{b:?}");
        let read = o.app.get(&o.admin, RULES).await.assert_status(200);
        assert_eq!(
            read.body["rules"][0]["target"]["reps"][1]["user"],
            o.rep_b.id
        );
        o.app.get(&o.rep_a, RULES).await.assert_problem(403);
        let body = json!({ "rules": [] });
        o.app
            .send(&o.manager, Method::PUT, RULES, Some(&body))
            .await
            .assert_problem(403);
        let bad = json!({ "rules": [
            round_robin("ok", &[], &[&o.rep_a]),
            { "name": "empty", "target": { "reps": [] }, "strategy": "round_robin" },
            { "name": "ghost", "target": { "reps": [{ "user": 999_999 }] },
              "strategy": "least_loaded" },
        ] });
        o.app
            .send(&o.admin, Method::PUT, RULES, Some(&bad))
            .await
            .assert_fields(&["rules[1].target.reps", "rules[2].target.reps[0].user"]);
        let typo = json!({ "rules": [{ "name": "x", "target": { "reps": [] },
                                       "strategy": "random" }] });
        o.app
            .send(&o.admin, Method::PUT, RULES, Some(&typo))
            .await
            .assert_fields(&["rules[0].strategy"]);
        let after = o.app.get(&o.admin, RULES).await.assert_status(200);
        assert_eq!(after.body, read.body, "{b:?}: bad input wrote nothing");
    }
}

#[tokio::test]
async fn round_robin_over_three_reps_shares_six_leads_two_each_and_tells_them() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let reps = [&o.rep_a, &o.rep_b, &o.south_rep];
        set_rules(&o, json!([round_robin("全国", &[], &reps)])).await;
        let mut got = Vec::new();
        for n in 0..6 {
            let l = lead(&o, &token, n).await;
            assert_eq!(l["status"], "assigned", "{b:?}: {l}");
            got.push(l["assigned_to"]["id"].as_i64().expect("assignee"));
        }
        let want: Vec<i64> = reps.iter().chain(reps.iter()).map(|r| r.id).collect();
        assert_eq!(got, want, "{b:?}: in turn, 2/2/2");
        let inbox = o
            .app
            .get(&o.rep_b, "/api/v1/notifications")
            .await
            .assert_status(200);
        let kinds: Vec<Value> = inbox.items().iter().map(|n| n["kind"].clone()).collect();
        assert_eq!(kinds, ["lead_routed", "lead_routed"], "{b:?}");
        let message = inbox.items()[0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let lead = inbox.items()[0]["params"]["lead"]
            .as_str()
            .unwrap_or("?")
            .to_owned();
        let want = ui_fmt(
            "en",
            "people.notify_lead_routed",
            &[("lead", &lead), ("source", "官网表单")],
        );
        assert_eq!(message, want, "{b:?}");
    }
}

#[tokio::test]
async fn a_rep_on_leave_is_skipped_with_the_reason_and_an_unmatched_lead_stays_unrouted() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        on_leave(&o, &o.rep_b, -1, 7).await;
        let other_source = src + 1000;
        set_rules(
            &o,
            json!([
                round_robin("抖音", &[other_source], &[&o.south_rep]),
                round_robin("官网", &[src], &[&o.rep_b, &o.rep_a]),
            ]),
        )
        .await;
        for n in 0..2 {
            let l = lead(&o, &token, n).await;
            assert_eq!(l["assigned_to"]["id"], o.rep_a.id, "{b:?}: {l}");
            let trials = &l["routing"]["rules"];
            assert_eq!(trials[0]["result"]["code"], "no_match", "{b:?}: {l}");
            assert_eq!(trials[0]["result"]["miss"], "source", "{b:?}");
            let skipped = &trials[1]["candidates"][0];
            assert_eq!(skipped["skip"]["code"], "on_leave", "{b:?}: {l}");
            let text = l["routing_text"].to_string();
            assert!(text.contains("on leave until"), "{b:?}: {text}");
            assert!(text.contains("another source"), "{b:?}: {text}");
        }
        set_rules(
            &o,
            json!([round_robin("抖音", &[other_source], &[&o.rep_a])]),
        )
        .await;
        let l = lead(&o, &token, 9).await;
        assert_eq!(l["status"], "unrouted", "{b:?}: {l}");
        assert_eq!(l["routing"]["chosen"], Value::Null, "{b:?}");
        assert_eq!(
            l["routing_text"][0],
            ui_fmt("en", "routing.none", &[]),
            "{b:?}"
        );
        let web = signed_in(&o.app, "admin").await;
        let id = l["id"].as_i64().expect("id");
        let page = web.get(&format!("/leads/{id}")).await.status(200);
        let lines = page.texts("#lead-routing li");
        assert_eq!(lines[0], ui_fmt("zh-CN", "routing.none", &[]), "{b:?}");
        let miss = ui_fmt("zh-CN", "routing.miss_source", &[]);
        let want = ui_fmt(
            "zh-CN",
            "routing.rule_miss",
            &[("rule", "抖音"), ("miss", &miss)],
        );
        assert_eq!(lines[1], want, "{b:?}");
    }
}

/// `POST /api/v1/leads` on instance `i` of `app`.
async fn send_on(o: &Org, i: usize, token: &str, n: usize) -> i64 {
    let base = &o.app.bases[i % o.app.bases.len()];
    let body = json!({ "company": format!("并发公司{n}号"), "phone": fresh_phone() });
    let resp = o
        .app
        .client
        .post(format!("{base}/api/v1/leads"))
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", format!("burst-{n}"))
        .json(&body)
        .send()
        .await
        .expect("intake");
    assert_eq!(resp.status(), 201, "lead {n}");
    id_of(&resp.json::<Value>().await.expect("body"))
}

#[tokio::test]
async fn concurrent_routing_on_two_instances_stays_fair_and_assigns_each_lead_once() {
    let apps = [
        crate::harness::TestApp::start(kehu_testkit::Backend::Sqlite).await,
        crate::harness::TestApp::start_instances(kehu_testkit::Backend::Postgres, 2).await,
    ];
    for app in apps {
        let o = Org::with_app(app).await;
        let b = o.app.label();
        let (_, token) = source(&o, 1000).await;
        let reps = [&o.rep_a, &o.rep_b, &o.south_rep];
        set_rules(&o, json!([round_robin("全国", &[], &reps)])).await;
        let ids = futures::future::join_all((0..30).map(|n| send_on(&o, n, &token, n))).await;
        let mut per_rep = std::collections::BTreeMap::new();
        for id in ids {
            let l = o
                .app
                .get(&o.admin, &format!("/api/v1/leads/{id}"))
                .await
                .assert_status(200)
                .body;
            assert_eq!(l["status"], "assigned", "{b}: {l}");
            *per_rep
                .entry(l["assigned_to"]["id"].as_i64().expect("rep"))
                .or_insert(0) += 1;
        }
        let counts: Vec<i32> = reps.iter().map(|r| per_rep[&r.id]).collect();
        assert_eq!(counts, [10, 10, 10], "{b}: fair under concurrency");
        let mut notes = 0;
        for r in reps {
            let inbox = o
                .app
                .get(r, "/api/v1/notifications")
                .await
                .assert_status(200);
            notes += inbox.items().len();
        }
        assert_eq!(notes, 30, "{b}: one notification per lead, none twice");
    }
}

#[tokio::test]
async fn weighted_round_robin_follows_the_weights_and_least_loaded_evens_out() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let weighted = json!([{ "name": "按权重", "strategy": "weighted_round_robin",
            "target": { "reps": [{ "user": o.rep_a.id, "weight": 2 },
                                 { "user": o.rep_b.id, "weight": 1 }] } }]);
        set_rules(&o, weighted).await;
        let mut got = Vec::new();
        for n in 0..6 {
            got.push(lead(&o, &token, n).await["assigned_to"]["id"].clone());
        }
        let (a, rb) = (json!(o.rep_a.id), json!(o.rep_b.id));
        let want = [&a, &rb, &a, &a, &rb, &a].map(Clone::clone);
        assert_eq!(got, want, "{b:?}: smooth 2:1");
        // rep_a now has 4 open leads, rep_b 2, south_rep none: least loaded fills south_rep
        // up to rep_b, then alternates in target order.
        let reps = [&o.rep_a, &o.rep_b, &o.south_rep];
        let ids: Vec<Value> = reps.iter().map(|r| json!({ "user": r.id })).collect();
        let least = json!([{ "name": "最少", "strategy": "least_loaded",
                             "target": { "reps": ids } }]);
        set_rules(&o, least).await;
        let mut got = Vec::new();
        for n in 10..14 {
            let l = lead(&o, &token, n).await;
            got.push(l["assigned_to"]["id"].as_i64().unwrap_or_default());
        }
        let (rb, s) = (o.rep_b.id, o.south_rep.id);
        assert_eq!(got, [s, s, rb, s], "{b:?}: fewest open leads first");
    }
}
