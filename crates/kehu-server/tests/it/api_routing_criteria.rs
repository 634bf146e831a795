//! Routing by region, industry, grade and tags, and the skill strategy, over HTTP on both
//! engines: a lead reaches the rule asking for what it has, each rule it misses says which
//! criterion (or that the lead lacks the value), a rep without the lead's industry skill is
//! skipped with the reason on the lead, the simulator replays the same and counts pooled
//! leads apart, and bad input names the field.

use crate::api_routing::set_rules;
use crate::api_simulator::{SIMULATE, around_now};
use crate::harness::{Org, Resp, TestUser, fresh_phone, id_of};
use crate::leads_kit::{send, send_and_read, source};
use kehu_domain::ids::UserId;
use reqwest::Method;
use serde_json::{Value, json};

fn reps(users: &[i64]) -> Value {
    json!({ "reps": users.iter().map(|u| json!({ "user": u })).collect::<Vec<_>>() })
}

/// The `miss` of each rule tried that did not match, in order.
fn misses(lead: &Value) -> Vec<String> {
    lead["routing"]["rules"]
        .as_array()
        .unwrap_or_else(|| panic!("no rules in {lead}"))
        .iter()
        .filter_map(|t| t["result"]["miss"].as_str().map(str::to_owned))
        .collect()
}

/// `PUT /api/v1/users/{rep_a}/skills` as `user`.
async fn put_skills(o: &Org, user: &TestUser, body: Value) -> Resp {
    let path = format!("/api/v1/users/{}/skills", o.rep_a.id);
    o.app.send(user, Method::PUT, &path, Some(&body)).await
}

fn text(lead: &Value) -> String {
    lead["routing_text"].to_string()
}

#[tokio::test]
async fn a_lead_reaches_the_rule_asking_for_its_region_industry_grade_or_tags() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        set_rules(
            &o,
            json!([
                { "name": "华东机械", "strategy": "round_robin", "target": reps(&[o.rep_a.id]),
                  "criteria": { "regions": ["华东"], "industries": ["机械设备"] } },
                { "name": "A 类 ERP", "strategy": "round_robin", "target": reps(&[o.rep_b.id]),
                  "criteria": { "grades": ["A"], "tags": ["ERP", "MES"] } },
                { "name": "兜底", "strategy": "round_robin", "target": reps(&[o.south_rep.id]) },
            ]),
        )
        .await;
        let js = send_and_read(
            &o,
            &token,
            "c1",
            &json!({ "company": "苏州甲", "phone": fresh_phone(),
            "province": "江苏省", "industry": "机械设备", "tags": ["ERP", "erp", " 数控 "] }),
        )
        .await;
        assert_eq!(js["assigned_to"]["id"], o.rep_a.id, "{b:?}: {js}");
        assert_eq!(js["industry"], "机械设备", "{b:?}");
        assert_eq!(
            js["tags"],
            json!(["ERP", "数控"]),
            "{b:?}: folded, each once"
        );

        let gd = send_and_read(
            &o,
            &token,
            "c2",
            &json!({ "company": "广州乙", "phone": fresh_phone(),
            "province": "广东省", "industry": "机械设备" }),
        )
        .await;
        assert_eq!(gd["assigned_to"]["id"], o.south_rep.id, "{b:?}: {gd}");
        assert_eq!(misses(&gd), ["region", "no_grade"], "{b:?}: {gd}");
        assert!(text(&gd).contains("outside its regions"), "{b:?}: {gd}");
        assert!(
            text(&gd).contains("neither the lead nor its customer has a grade"),
            "{b:?}"
        );

        // A pool customer graded A: its grade counts over the C the form states; `mes`
        // is one of the rule's tags, either being enough.
        let phone = fresh_phone();
        let customer = json!({ "name": "杭州云帆科技", "phone": phone, "source": "web",
                               "grade": "A", "industry": "电子" });
        let cid = id_of(
            &o.app
                .post(&o.rep_a, "/api/v1/customers", customer)
                .await
                .assert_status(201)
                .body,
        );
        o.app
            .post(
                &o.rep_a,
                &format!("/api/v1/customers/{cid}/release"),
                json!({ "reason": "暂无需求" }),
            )
            .await
            .assert_status(200);
        let hz = send_and_read(
            &o,
            &token,
            "c3",
            &json!({ "company": "杭州云帆科技", "phone": phone,
            "province": "浙江", "grade": "C", "tags": ["mes"] }),
        )
        .await;
        assert_eq!(hz["customer"]["id"], cid, "{b:?}: {hz}");
        assert_eq!(hz["assigned_to"]["id"], o.rep_b.id, "{b:?}: {hz}");
        assert_eq!(hz["grade"], "C", "{b:?}: the lead keeps what it stated");
        // Its own industry is missing, so the customer's (电子) is the one routing saw.
        assert_eq!(misses(&hz), ["industry"], "{b:?}: {hz}");

        let bare = send_and_read(
            &o,
            &token,
            "c4",
            &json!({ "company": "某公司", "phone": fresh_phone(),
            "grade": "A", "tags": ["CRM"] }),
        )
        .await;
        assert_eq!(bare["assigned_to"]["id"], o.south_rep.id, "{b:?}: {bare}");
        assert_eq!(misses(&bare), ["no_province", "tags"], "{b:?}: {bare}");
        assert!(
            text(&bare).contains("the lead gives no province"),
            "{b:?}: {bare}"
        );
    }
}

#[tokio::test]
async fn a_skill_rule_skips_reps_without_the_industry_and_says_so_on_the_lead() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let path = |u: i64| format!("/api/v1/users/{u}/skills");
        let set = put_skills(
            &o,
            &o.manager,
            json!({ "industries": [" 机械设备 ", "机械设备", "电子"] }),
        )
        .await
        .assert_status(200);
        let mut got: Vec<String> = serde_json::from_value(set.body["industries"].clone()).unwrap();
        got.sort();
        assert_eq!(got, ["机械设备", "电子"], "{b:?}: trimmed, each once");
        let mine = o
            .app
            .get(&o.rep_a, &path(o.rep_a.id))
            .await
            .assert_status(200);
        assert_eq!(mine.body, set.body, "{b:?}: the rep reads their own");
        put_skills(&o, &o.rep_a, json!({ "industries": [] }))
            .await
            .assert_problem(403);
        o.app
            .get(&o.south_rep, &path(o.rep_a.id))
            .await
            .assert_problem(404);
        put_skills(&o, &o.manager, json!({ "industries": ["电子", ""] }))
            .await
            .assert_fields(&["industries[1]"]);
        put_skills(&o, &o.manager, json!({ "skills": [] }))
            .await
            .assert_fields(&["skills"]);

        set_rules(&o, json!([
            { "name": "按专长", "strategy": "skill", "target": reps(&[o.rep_b.id, o.rep_a.id]) },
            { "name": "兜底", "strategy": "round_robin", "target": reps(&[o.south_rep.id]) },
        ]))
        .await;
        let r = send(
            &o.app,
            &token,
            Some("s1"),
            &json!({ "company": "苏州甲", "phone": fresh_phone(),
            "industry": "机械设备" }),
        )
        .await
        .assert_status(201);
        // As the rep who got it reads it: GET /api/v1/leads/{id}.
        let lead = o
            .app
            .get(&o.rep_a, &format!("/api/v1/leads/{}", id_of(&r.body)))
            .await
            .assert_status(200)
            .body;
        assert_eq!(lead["assigned_to"]["id"], o.rep_a.id, "{b:?}: {lead}");
        let skipped = &lead["routing"]["rules"][0]["candidates"][0];
        assert_eq!(
            skipped["skip"],
            json!({ "code": "no_skill", "industry": "机械设备" }),
            "{b:?}"
        );
        let line = format!("{}: no skill for 机械设备", o.rep_b.name);
        assert!(text(&lead).contains(&line), "{b:?}: {lead}");

        let none = send_and_read(
            &o,
            &token,
            "s2",
            &json!({ "company": "某公司", "phone": fresh_phone() }),
        )
        .await;
        assert_eq!(none["assigned_to"]["id"], o.south_rep.id, "{b:?}: {none}");
        assert_eq!(misses(&none), ["no_industry"], "{b:?}: {none}");
        assert!(text(&none).contains("the lead gives no industry"), "{b:?}");
    }
}

#[tokio::test]
async fn bad_criteria_and_bad_lead_fields_are_named() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let rule = |criteria: Value| {
            json!({ "rules": [{ "name": "x", "strategy": "round_robin",
            "target": reps(&[o.rep_a.id]), "criteria": criteria }] })
        };
        for (criteria, field) in [
            (
                json!({ "regions": ["华东", "江南"] }),
                "rules[0].criteria.regions[1]",
            ),
            (
                json!({ "grades": ["A", "D"] }),
                "rules[0].criteria.grades[1]",
            ),
            (
                json!({ "industries": [" "] }),
                "rules[0].criteria.industries[0]",
            ),
        ] {
            o.app
                .send(
                    &o.admin,
                    Method::PUT,
                    "/api/v1/routing-rules",
                    Some(&rule(criteria)),
                )
                .await
                .assert_fields(&[field]);
        }
        let long = "标".repeat(21);
        let bad = json!({ "company": "甲", "tags": ["ok", long], "grade": "D", "industry": "业".repeat(51) });
        send(&o.app, &token, Some("b1"), &bad)
            .await
            .assert_fields(&["tags[1]", "grade", "industry"]);
        let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        send(
            &o.app,
            &token,
            Some("b2"),
            &json!({ "company": "甲", "tags": many }),
        )
        .await
        .assert_fields(&["tags"]);
    }
}

#[tokio::test]
async fn the_simulator_replays_the_new_criteria_and_counts_pooled_leads_apart() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        set_rules(
            &o,
            json!([{ "name": "全部", "strategy": "round_robin", "target": reps(&[o.rep_a.id]) }]),
        )
        .await;
        for (key, industry) in [
            ("p1", Some("机械设备")),
            ("p2", Some("机械设备")),
            ("p3", None),
        ] {
            let mut body = json!({ "company": format!("公司{key}"), "phone": fresh_phone() });
            if let Some(i) = industry {
                body["industry"] = json!(i);
            }
            send(&o.app, &token, Some(key), &body)
                .await
                .assert_status(201);
        }
        let actor = o
            .app
            .store()
            .actor(UserId(o.rep_a.id))
            .await
            .expect("read")
            .expect("rep");
        let team = actor.team_id.expect("team").0;
        let (from, to) = around_now();
        let draft = json!([
            { "name": "机械进池", "strategy": "round_robin", "target": { "lead_pool": team },
              "criteria": { "industries": ["机械设备"] } },
        ]);
        let r = o
            .app
            .post(
                &o.manager,
                SIMULATE,
                json!({ "from": from, "to": to, "rules": draft }),
            )
            .await
            .assert_status(200);
        let d = &r.body["draft"];
        let counts = [
            &d["leads"],
            &d["routed"],
            &d["pooled"],
            &d["unrouted"],
            &d["unmatched"],
        ];
        assert_eq!(counts, [3, 0, 2, 1, 1], "{b:?}: {d}");
        assert_eq!(r.body["live"]["pooled"], 0, "{b:?}");
        assert_eq!(r.body["live"]["routed"], 3, "{b:?}");
    }
}
