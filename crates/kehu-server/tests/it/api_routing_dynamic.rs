//! The dynamic strategy (saturation × responsiveness × capability) on both engines: the
//! load shifts leads to the idle rep, a fast responder wins over a slow one at equal load,
//! each candidate's factors are in the explanation, and bad factor weights name the field.

use crate::api_routing::{lead, set_rules};
use crate::harness::Org;
use crate::leads_kit::send_and_read;
use crate::leads_kit::source;
use kehu_domain::ids::UserId;
use kehu_domain::lead::LeadId;
use reqwest::Method;
use serde_json::{Value, json};

fn dynamic(o: &Org, weights: &Value) -> Value {
    json!([{ "name": "动态", "strategy": "dynamic", "dynamic": weights,
             "target": { "reps": [{ "user": o.rep_a.id }, { "user": o.rep_b.id }] } }])
}

#[tokio::test]
async fn load_and_response_time_decide_and_every_factor_is_shown() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        set_rules(&o, dynamic(&o, &json!({}))).await;
        // No history: a tie goes to the first rep; then the load sends the next to the other.
        let first = lead(&o, &token, 1).await;
        assert_eq!(first["assigned_to"]["id"], o.rep_a.id, "{b:?}: {first}");
        let second = lead(&o, &token, 2).await;
        assert_eq!(second["assigned_to"]["id"], o.rep_b.id, "{b:?}: {second}");
        let c = &second["routing"]["rules"][0]["candidates"];
        assert_eq!(
            c[0]["factors"]["saturation"], 500,
            "{b:?}: one open lead halves it"
        );
        assert_eq!(c[1]["factors"]["saturation"], 1000, "{b:?}");
        let text = second["routing_text"].to_string();
        assert!(
            text.contains("load 0.500 × response 0.500 × win rate 0.500"),
            "{b:?}: {text}"
        );

        // rep_a answered theirs after two hours, rep_b after one minute: at equal load
        // (none open) the fast responder wins.
        let at = |l: &Value, minutes: i64| {
            let t = l["assigned_at"].as_str().expect("assigned");
            chrono::DateTime::parse_from_rfc3339(t).expect("t").to_utc()
                + chrono::Duration::minutes(minutes)
        };
        let store = o.app.store();
        for (l, rep, minutes) in [(&first, &o.rep_a, 120), (&second, &o.rep_b, 1)] {
            let id = LeadId(l["id"].as_i64().expect("id"));
            let done = store
                .respond_to_lead(id, UserId(rep.id), None, at(l, minutes))
                .await;
            assert_eq!(done.expect("respond"), Ok(()), "{b:?}");
        }
        let third = lead(&o, &token, 3).await;
        assert_eq!(third["assigned_to"]["id"], o.rep_b.id, "{b:?}: {third}");
        let c = &third["routing"]["rules"][0]["candidates"];
        assert_eq!(
            c[0]["factors"]["responsiveness"], 200,
            "{b:?}: 1 / (1 + 120/30)"
        );
        assert_eq!(
            c[1]["factors"]["responsiveness"], 968,
            "{b:?}: 1 / (1 + 1/30)"
        );
        // Turning every factor off leaves a plain tie: the earlier rep.
        set_rules(
            &o,
            dynamic(
                &o,
                &json!({ "saturation": 0, "responsiveness": 0, "capability": 0 }),
            ),
        )
        .await;
        assert_eq!(
            lead(&o, &token, 4).await["assigned_to"]["id"],
            o.rep_a.id,
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn factor_weights_out_of_range_name_the_field() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let body = json!({ "rules": dynamic(&o, &json!({ "saturation": 11 })) });
        o.app
            .send(&o.admin, Method::PUT, "/api/v1/routing-rules", Some(&body))
            .await
            .assert_fields(&["rules[0].dynamic.saturation"]);
        let body = json!({ "rules": dynamic(&o, &json!({ "speed": 1 })) });
        o.app
            .send(&o.admin, Method::PUT, "/api/v1/routing-rules", Some(&body))
            .await
            .assert_fields(&["rules[0].dynamic.speed"]);
    }
}

#[tokio::test]
async fn a_team_target_routes_over_the_teams_reps_as_they_are_now() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let east = o
            .app
            .store()
            .actor(UserId(o.rep_a.id))
            .await
            .expect("read")
            .expect("rep");
        let east = east.team_id.expect("team").0;
        let rules =
            json!([{ "name": "华东组", "strategy": "round_robin", "target": { "team": east } }]);
        set_rules(&o, rules).await;
        let got: Vec<Value> = {
            let mut v = Vec::new();
            for n in 0..4 {
                v.push(lead(&o, &token, n).await["assigned_to"]["id"].clone());
            }
            v
        };
        let (a, bb) = (json!(o.rep_a.id), json!(o.rep_b.id));
        assert_eq!(
            got,
            [a.clone(), bb, a.clone(), json!(o.rep_b.id)],
            "{b:?}: the team's reps in turn"
        );
        // rep_b leaves the company: the team's rotation is rep_a alone from the next lead.
        o.app
            .store()
            .set_user_active(UserId(o.rep_b.id), false)
            .await
            .expect("disable");
        assert_eq!(lead(&o, &token, 9).await["assigned_to"]["id"], a, "{b:?}");
        let bad = json!({ "rules": [{ "name": "x", "strategy": "round_robin", "target": { "team": 999_999 } },
            { "name": "y", "strategy": "round_robin", "target": { "team": east, "reps": [{ "user": o.rep_a.id }] } }] });
        o.app
            .send(&o.admin, Method::PUT, "/api/v1/routing-rules", Some(&bad))
            .await
            .assert_fields(&["rules[0].target.team", "rules[1].target"]);
    }
}

/// A pool customer released by `rep`, and a lead of it.
async fn pool_customer_lead(o: &Org, token: &str, name: &str, key: &str) -> Value {
    let phone = crate::harness::fresh_phone();
    let cid = crate::harness::id_of(&o.app.customer(&o.rep_a, name, &phone).await);
    o.app
        .post(
            &o.rep_a,
            &format!("/api/v1/customers/{cid}/release"),
            json!({ "reason": "暂无需求" }),
        )
        .await
        .assert_status(200);
    let body = json!({ "company": name, "phone": phone });
    send_and_read(o, token, key, &body).await
}

#[tokio::test]
async fn a_lead_of_a_pool_customer_goes_back_to_its_former_owner_when_preferred() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let rules = json!([{ "name": "华东", "strategy": "round_robin", "target": { "reps": [{ "user": o.rep_b.id }] } }]);
        set_rules(&o, rules).await;
        // Off by default: the rules decide.
        let l = pool_customer_lead(&o, &token, "苏州华星精密", "f1").await;
        assert_eq!(l["assigned_to"]["id"], o.rep_b.id, "{b:?}: {l}");
        assert_eq!(l["routing"]["former_owner"], Value::Null, "{b:?}");
        o.app
            .send(
                &o.admin,
                Method::PUT,
                "/api/v1/settings/lead-routing",
                Some(&json!({ "prefer_former_owner": true })),
            )
            .await
            .assert_status(200);
        o.app
            .send(
                &o.rep_a,
                Method::PUT,
                "/api/v1/settings/lead-routing",
                Some(&json!({ "prefer_former_owner": false })),
            )
            .await
            .assert_problem(403);
        let l = pool_customer_lead(&o, &token, "无锡恒达机械", "f2").await;
        assert_eq!(l["assigned_to"]["id"], o.rep_a.id, "{b:?}: {l}");
        assert_eq!(l["routing"]["former_owner"]["code"], "chosen", "{b:?}");
        let want = crate::harness::ui_fmt("en", "routing.former_chosen", &[("rep", "用户rep_a")]);
        assert_eq!(l["routing_text"][1], want, "{b:?}: {}", l["routing_text"]);
        // The former owner on leave is skipped with the reason, and the rules decide.
        #[expect(
            clippy::disallowed_methods,
            reason = "leave relative to the server's real present"
        )]
        let now = chrono::Utc::now();
        let at = |d: i64| (now + chrono::Duration::days(d)).to_rfc3339();
        o.app
            .post(
                &o.admin,
                &format!("/api/v1/users/{}/leaves", o.rep_a.id),
                json!({ "from": at(-1), "until": at(3), "note": "年假" }),
            )
            .await
            .assert_status(201);
        let l = pool_customer_lead(&o, &token, "杭州云帆科技", "f3").await;
        assert_eq!(l["assigned_to"]["id"], o.rep_b.id, "{b:?}: {l}");
        assert_eq!(
            l["routing"]["former_owner"]["skip"]["code"], "on_leave",
            "{b:?}: {l}"
        );
    }
}

#[tokio::test]
async fn a_territory_rule_gives_leads_to_the_reps_who_cover_the_place_and_falls_through_otherwise()
{
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let path = |u: i64| format!("/api/v1/users/{u}/territory");
        o.app
            .send(
                &o.manager,
                Method::PUT,
                &path(o.rep_a.id),
                Some(&json!({ "places": ["江苏省", " 苏州 "] })),
            )
            .await
            .assert_status(200);
        o.app
            .send(
                &o.manager,
                Method::PUT,
                &path(o.rep_b.id),
                Some(&json!({ "places": ["浙江"] })),
            )
            .await
            .assert_status(200);
        let mine = o
            .app
            .get(&o.rep_a, &path(o.rep_a.id))
            .await
            .assert_status(200);
        assert_eq!(
            mine.body["places"],
            json!(["江苏省", "苏州"]),
            "{b:?}: trimmed, sorted"
        );
        o.app
            .send(
                &o.rep_a,
                Method::PUT,
                &path(o.rep_a.id),
                Some(&json!({ "places": [] })),
            )
            .await
            .assert_problem(403);
        o.app
            .get(&o.south_rep, &path(o.rep_a.id))
            .await
            .assert_problem(404);
        o.app
            .send(
                &o.manager,
                Method::PUT,
                &path(o.rep_a.id),
                Some(&json!({ "places": [""] })),
            )
            .await
            .assert_fields(&["places[0]"]);
        set_rules(&o, json!([
            { "name": "按区域", "strategy": "territory",
              "target": { "reps": [{ "user": o.rep_a.id }, { "user": o.rep_b.id }] } },
            { "name": "兜底", "strategy": "round_robin", "target": { "reps": [{ "user": o.south_rep.id }] } },
        ])).await;
        let js = send_and_read(&o, &token, "t1", &json!({ "company": "苏州甲", "phone": crate::harness::fresh_phone(), "city": "苏州市" })).await;
        assert_eq!(js["assigned_to"]["id"], o.rep_a.id, "{b:?}: {js}");
        let skipped = &js["routing"]["rules"][0]["candidates"][1];
        assert_eq!(skipped["skip"]["code"], "out_of_territory", "{b:?}: {js}");
        let zj = send_and_read(&o, &token, "t2", &json!({ "company": "杭州乙", "phone": crate::harness::fresh_phone(), "province": "浙江省" })).await;
        assert_eq!(zj["assigned_to"]["id"], o.rep_b.id, "{b:?}: {zj}");
        // Nobody covers 广东, and a lead without a place matches no territory: the fallback.
        let gd = send_and_read(&o, &token, "t3", &json!({ "company": "广州丙", "phone": crate::harness::fresh_phone(), "province": "广东省" })).await;
        assert_eq!(gd["assigned_to"]["id"], o.south_rep.id, "{b:?}: {gd}");
        let none = send_and_read(
            &o,
            &token,
            "t4",
            &json!({ "company": "某公司", "phone": crate::harness::fresh_phone() }),
        )
        .await;
        assert_eq!(none["assigned_to"]["id"], o.south_rep.id, "{b:?}");
        let text = gd["routing_text"].to_string();
        assert!(text.contains("not in their territory"), "{b:?}: {text}");
        // Without a place the territory rule does not take the lead, and says why, instead of
        // skipping every rep as out of territory.
        let text = none["routing_text"].to_string();
        assert!(
            text.contains("the lead gives no province or city"),
            "{b:?}: {text}"
        );
        assert!(!text.contains("not in their territory"), "{b:?}: {text}");
    }
}

#[tokio::test]
async fn a_rep_outside_their_working_hours_is_skipped_with_the_reason() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        set_rules(
            &o,
            json!([{ "name": "华东", "strategy": "round_robin",
            "target": { "reps": [{ "user": o.rep_b.id }, { "user": o.rep_a.id }] } }]),
        )
        .await;
        #[expect(
            clippy::disallowed_methods,
            reason = "hours relative to the server's real present"
        )]
        let now = chrono::Utc::now();
        let hhmm = |h: i64| {
            (now + chrono::Duration::hours(h))
                .format("%H:%M")
                .to_string()
        };
        let path = format!("/api/v1/users/{}/working-hours", o.rep_b.id);
        // rep_b works a shift that starts in two hours (UTC, every day): off now.
        let later = json!({ "utc_offset_minutes": 0, "weekdays": [1, 2, 3, 4, 5, 6, 7],
                            "time": { "from": hhmm(2), "until": hhmm(3) } });
        o.app
            .send(&o.manager, Method::PUT, &path, Some(&later))
            .await
            .assert_status(200);
        o.app
            .send(&o.rep_b, Method::PUT, &path, Some(&later))
            .await
            .assert_problem(403);
        let l = send_and_read(
            &o,
            &token,
            "h1",
            &json!({ "company": "甲", "phone": crate::harness::fresh_phone() }),
        )
        .await;
        assert_eq!(l["assigned_to"]["id"], o.rep_a.id, "{b:?}: {l}");
        let c = &l["routing"]["rules"][0]["candidates"][0];
        assert_eq!(c["skip"]["code"], "off_shift", "{b:?}: {l}");
        assert!(
            l["routing_text"]
                .to_string()
                .contains("outside their working hours"),
            "{b:?}"
        );
        // A shift around now: rep_b takes leads again.
        let now_on = json!({ "utc_offset_minutes": 0, "weekdays": [1, 2, 3, 4, 5, 6, 7],
                             "time": { "from": hhmm(-1), "until": hhmm(1) } });
        o.app
            .send(&o.manager, Method::PUT, &path, Some(&now_on))
            .await
            .assert_status(200);
        let l = send_and_read(
            &o,
            &token,
            "h2",
            &json!({ "company": "乙", "phone": crate::harness::fresh_phone() }),
        )
        .await;
        assert_eq!(
            l["routing"]["rules"][0]["candidates"][0]["skip"],
            Value::Null,
            "{b:?}: {l}"
        );
        let bad = json!({ "utc_offset_minutes": 900, "weekdays": [], "time": { "from": "09:00:00", "until": "09:00:00" } });
        o.app
            .send(&o.manager, Method::PUT, &path, Some(&bad))
            .await
            .assert_fields(&["utc_offset_minutes", "weekdays", "time"]);
        o.app
            .send(&o.manager, Method::DELETE, &path, None)
            .await
            .assert_status(204);
        assert_eq!(
            o.app.get(&o.rep_b, &path).await.assert_status(200).body,
            Value::Null,
            "{b:?}"
        );
    }
}
