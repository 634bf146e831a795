//! Response windows (黄金响应窗口) on both engines, with the job's clock fast-forwarded: an
//! unanswered lead is reminded at half time, its rep's manager told at the breach, and it is
//! reassigned 30 minutes later to a rep who did not miss it, every step once and in the
//! lead's history; when nobody else can take it, it stays and the managers are told. The
//! first response stops the clock and only the assignee records it; a lead of an owned
//! customer is never reassigned; two instances take each step once.

use crate::api_routing::{lead, round_robin, set_rules};
use crate::harness::{Org, TestUser, fresh_phone, id_of, runner, ui_fmt};
use crate::leads_kit::{read_lead, send, source};
use crate::pages::signed_in;
use chrono::{DateTime, Duration, Utc};
use kehu_server::jobs::{self, EscalationReport};
use reqwest::Method;
use serde_json::{Value, json};

fn window_path(source: i64) -> String {
    format!("/api/v1/lead-sources/{source}/response-window")
}

async fn set_window(o: &Org, source: i64, body: &Value) -> Value {
    o.app
        .send(&o.admin, Method::PUT, &window_path(source), Some(body))
        .await
        .assert_status(200)
        .body
}

/// One job pass with the clock at `assigned + minutes`.
async fn pass_at(o: &Org, from: DateTime<Utc>, minutes: i64) -> EscalationReport {
    let state = runner(
        &o.app,
        o.app.store().clone(),
        from + Duration::minutes(minutes),
    );
    jobs::run_once(&state).await.expect("pass").escalation
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not an instant: {v}"))
}

async fn kinds_in_inbox(o: &Org, user: &TestUser) -> Vec<Value> {
    let inbox = o
        .app
        .get(user, "/api/v1/notifications")
        .await
        .assert_status(200);
    inbox.items().iter().map(|n| n["kind"].clone()).collect()
}

async fn events(o: &Org, id: i64) -> Vec<Value> {
    let r = o
        .app
        .get(&o.admin, &format!("/api/v1/leads/{id}/events"))
        .await
        .assert_status(200);
    r.items().iter().map(|e| e["kind"].clone()).collect()
}

#[tokio::test]
async fn an_unanswered_lead_is_reminded_escalated_and_reassigned_once_each_step() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        let w = set_window(&o, src, &json!({ "minutes": 90 })).await;
        let offsets: Vec<Value> = w["ladder"]
            .as_array()
            .expect("ladder")
            .iter()
            .map(|s| json!([s["after_minutes"], s["action"]]))
            .collect();
        assert_eq!(
            offsets,
            [
                json!([45, "remind_rep"]),
                json!([90, "notify_manager"]),
                json!([120, "reassign"])
            ],
            "{b:?}"
        );
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a, &o.rep_b])])).await;
        let l = lead(&o, &token, 1).await;
        let id = l["id"].as_i64().expect("id");
        assert_eq!(l["assigned_to"]["id"], o.rep_a.id, "{b:?}: {l}");
        let assigned = at(&l["assigned_at"]);
        let due = at(&l["window_due_at"]);
        assert!(
            (due - assigned - Duration::minutes(90)).num_seconds().abs() <= 2,
            "{b:?}: {l}"
        );

        // Minute 44: nothing is due yet. Minute 46: the rep is reminded, once.
        assert_eq!(pass_at(&o, assigned, 44).await.taken(), 0, "{b:?}");
        assert_eq!(pass_at(&o, assigned, 46).await.reminded, 1, "{b:?}");
        assert_eq!(pass_at(&o, assigned, 47).await.taken(), 0, "{b:?}");
        assert!(
            kinds_in_inbox(&o, &o.rep_a)
                .await
                .contains(&json!("lead_reminder")),
            "{b:?}"
        );
        // The breach: the rep's manager is told, with the rep's name.
        assert_eq!(pass_at(&o, assigned, 91).await.managers_told, 1, "{b:?}");
        let inbox = o
            .app
            .get(&o.manager, "/api/v1/notifications")
            .await
            .assert_status(200);
        let breach = inbox
            .items()
            .into_iter()
            .find(|n| n["kind"] == "lead_breached")
            .unwrap_or_else(|| panic!("{b:?}: no breach in {}", inbox.body));
        let want = ui_fmt(
            "en",
            "people.notify_lead_breached",
            &[
                ("lead", &id.to_string()),
                ("source", "官网表单"),
                ("rep", "用户rep_a"),
                ("minutes", "90"),
            ],
        );
        assert_eq!(breach["message"], want, "{b:?}");
        // 30 minutes after the breach it goes to the next rep, who did not miss it.
        assert_eq!(pass_at(&o, assigned, 121).await.reassigned, 1, "{b:?}");
        let now = read_lead(&o, id).await;
        assert_eq!(now["assigned_to"]["id"], o.rep_b.id, "{b:?}: {now}");
        let skipped = now["routing"]["rules"][0]["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .find(|c| c["user"] == o.rep_a.id)
            .cloned()
            .expect("rep_a considered");
        assert_eq!(skipped["skip"]["code"], "missed_window", "{b:?}: {now}");
        assert!(
            kinds_in_inbox(&o, &o.rep_a)
                .await
                .contains(&json!("lead_reassigned")),
            "{b:?}"
        );
        assert!(
            kinds_in_inbox(&o, &o.rep_b)
                .await
                .contains(&json!("lead_routed")),
            "{b:?}"
        );
        // The clock starts over for the new rep.
        let again = at(&now["window_due_at"]);
        assert!(
            (again - assigned - Duration::minutes(121 + 90))
                .num_seconds()
                .abs()
                <= 2,
            "{b:?}"
        );
        assert_eq!(
            events(&o, id).await,
            ["assigned", "reminded", "manager_notified", "reassigned"],
            "{b:?}"
        );
        // rep_b lets it pass too: nobody is left, so it stays with rep_b and managers hear.
        let r = pass_at(&o, assigned, 121 + 200).await;
        assert_eq!(
            (r.reminded, r.managers_told, r.kept),
            (1, 1, 1),
            "{b:?}: {r:?}"
        );
        let last = read_lead(&o, id).await;
        assert_eq!(last["assigned_to"]["id"], o.rep_b.id, "{b:?}");
        assert!(
            kinds_in_inbox(&o, &o.manager)
                .await
                .contains(&json!("lead_stuck")),
            "{b:?}"
        );
        assert_eq!(
            pass_at(&o, assigned, 2000).await.taken(),
            0,
            "{b:?}: the ladder is done"
        );
        let kinds = events(&o, id).await;
        assert_eq!(
            kinds.last(),
            Some(&json!("reassign_failed")),
            "{b:?}: {kinds:?}"
        );
    }
}

#[tokio::test]
async fn the_first_response_stops_the_clock_and_only_the_assignee_records_it() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        // Admins only; bad windows name the field and write nothing.
        o.app
            .send(
                &o.rep_a,
                Method::PUT,
                &window_path(src),
                Some(&json!({ "minutes": 15 })),
            )
            .await
            .assert_problem(403);
        for (body, field) in [
            (json!({ "minutes": 0 }), "minutes"),
            (
                json!({ "minutes": 15, "ladder": [
                { "after_minutes": 10, "action": "reassign" },
                { "after_minutes": 20, "action": "remind_rep" } ] }),
                "ladder[0].action",
            ),
            (
                json!({ "minutes": 15, "ladder": [
                { "after_minutes": 10, "action": "remind_rep" },
                { "after_minutes": 5, "action": "notify_manager" } ] }),
                "ladder[1].after_minutes",
            ),
            (json!({ "minutes": 15, "grace": 3 }), "grace"),
        ] {
            o.app
                .send(&o.admin, Method::PUT, &window_path(src), Some(&body))
                .await
                .assert_fields(&[field]);
        }
        let listed = o
            .app
            .get(&o.admin, "/api/v1/lead-sources")
            .await
            .assert_status(200);
        assert_eq!(listed.items()[0]["response_window"], Value::Null, "{b:?}");
        o.app
            .send(
                &o.admin,
                Method::PUT,
                "/api/v1/lead-sources/999999/response-window",
                Some(&json!({ "minutes": 15 })),
            )
            .await
            .assert_problem(404);
        set_window(&o, src, &json!({ "minutes": 15 })).await;
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a])])).await;
        let l = lead(&o, &token, 1).await;
        let id = l["id"].as_i64().expect("id");
        let assigned = at(&l["received_at"]);
        let path = format!("/api/v1/leads/{id}/respond");
        // Another rep cannot see it; the manager sees it but does not answer for the rep.
        o.app
            .post(&o.rep_b, &path, json!({}))
            .await
            .assert_problem(404);
        o.app
            .post(&o.south_rep, &path, json!({}))
            .await
            .assert_problem(404);
        o.app
            .post(&o.manager, &path, json!({}))
            .await
            .assert_problem(403);
        o.app
            .post(&o.rep_a, &path, json!({ "note": "x".repeat(501) }))
            .await
            .assert_fields(&["note"]);
        let ok = o
            .app
            .post(&o.rep_a, &path, json!({ "note": "已电话联系，约周三拜访" }))
            .await
            .assert_status(200);
        assert!(ok.body["responded_at"].is_string(), "{b:?}: {}", ok.body);
        o.app
            .post(&o.rep_a, &path, json!({}))
            .await
            .assert_fields(&["lead"]);
        // Answered: no reminder, breach or reassignment however late the job runs.
        assert_eq!(pass_at(&o, assigned, 600).await.taken(), 0, "{b:?}");
        assert_eq!(events(&o, id).await, ["assigned", "responded"], "{b:?}");
        assert_eq!(
            read_lead(&o, id).await["assigned_to"]["id"],
            o.rep_a.id,
            "{b:?}"
        );
        // The lead page shows the answer in the history.
        let web = signed_in(&o.app, "rep_a").await;
        let page = web.get(&format!("/leads/{id}")).await.status(200);
        let lines = page.texts("#lead-history li");
        assert!(
            lines[1].ends_with("已电话联系，约周三拜访"),
            "{b:?}: {lines:?}"
        );
        assert_eq!(page.count("#lead-respond"), 0, "{b:?}");
        assert_eq!(page.count("#lead-responded"), 1, "{b:?}");
    }
}

#[tokio::test]
async fn a_lead_of_an_owned_customer_stays_with_the_owner_when_the_window_passes() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        set_window(&o, src, &json!({ "minutes": 30 })).await;
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_b])])).await;
        let phone = fresh_phone();
        o.app.customer(&o.rep_a, "苏州华星精密", &phone).await;
        let body = json!({ "company": "苏州华星精密", "phone": phone });
        let r = send(&o.app, &token, Some("owner-1"), &body)
            .await
            .assert_status(201);
        let id = id_of(&r.body);
        let l = read_lead(&o, id).await;
        assert_eq!(l["outcome"], "assigned_owner", "{b:?}: {l}");
        assert!(
            l["window_due_at"].is_string(),
            "{b:?}: the owner's clock runs too"
        );
        let assigned = at(&l["received_at"]);
        let r = pass_at(&o, assigned, 24 * 60).await;
        assert_eq!(
            (r.reminded, r.managers_told, r.kept, r.reassigned),
            (1, 1, 1, 0),
            "{b:?}: {r:?}"
        );
        assert_eq!(
            read_lead(&o, id).await["assigned_to"]["id"],
            o.rep_a.id,
            "{b:?}"
        );
        let kinds = events(&o, id).await;
        assert_eq!(
            kinds,
            [
                "assigned",
                "reminded",
                "manager_notified",
                "kept_with_owner"
            ],
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn two_instances_take_each_escalation_step_once() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        set_window(&o, src, &json!({ "minutes": 20 })).await;
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a, &o.rep_b])])).await;
        let mut first = None;
        for n in 0..8 {
            let l = lead(&o, &token, n).await;
            first.get_or_insert(at(&l["received_at"]));
        }
        let start = first.expect("leads");
        let one = runner(&o.app, o.app.store().clone(), start + Duration::minutes(11));
        let two = runner(&o.app, o.app.store().clone(), start + Duration::minutes(11));
        let (x, y) = tokio::join!(jobs::run_once(&one), jobs::run_once(&two));
        let (x, y) = (x.expect("pass").escalation, y.expect("pass").escalation);
        assert_eq!(x.reminded + y.reminded, 8, "{b:?}: {x:?} {y:?}");
        let reminders = kinds_in_inbox(&o, &o.rep_a)
            .await
            .iter()
            .chain(kinds_in_inbox(&o, &o.rep_b).await.iter())
            .filter(|k| **k == json!("lead_reminder"))
            .count();
        assert_eq!(reminders, 8, "{b:?}");
    }
}

#[tokio::test]
async fn a_call_logged_on_the_customer_answers_the_owners_lead() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        set_window(&o, src, &json!({ "minutes": 30 })).await;
        let phone = fresh_phone();
        let cid = id_of(&o.app.customer(&o.rep_a, "苏州华星精密", &phone).await);
        let body = json!({ "company": "苏州华星精密", "phone": phone });
        let r = send(&o.app, &token, Some("fu-1"), &body)
            .await
            .assert_status(201);
        let id = id_of(&r.body);
        let assigned = at(&read_lead(&o, id).await["assigned_at"]);
        // A note to self is not a contact; a call is.
        let path = format!("/api/v1/customers/{cid}/follow-ups");
        o.app
            .post(
                &o.rep_a,
                &path,
                json!({ "kind": "note", "content": "准备报价材料，周三前发出" }),
            )
            .await
            .assert_status(201);
        assert_eq!(
            read_lead(&o, id).await["responded_at"],
            Value::Null,
            "{b:?}"
        );
        o.app
            .post(
                &o.rep_a,
                &path,
                json!({ "kind": "call", "content": "已电话沟通需求", "duration_secs": 120 }),
            )
            .await
            .assert_status(201);
        assert!(read_lead(&o, id).await["responded_at"].is_string(), "{b:?}");
        assert_eq!(
            pass_at(&o, assigned, 600).await.taken(),
            0,
            "{b:?}: the clock stopped"
        );
        assert_eq!(
            events(&o, id).await,
            ["assigned", "responded_follow_up"],
            "{b:?}"
        );
    }
}
