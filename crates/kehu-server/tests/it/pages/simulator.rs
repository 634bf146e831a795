//! `/admin/routing/simulate`: the form comes filled in with the live rules; a run shows one
//! bar group per rep in the SVG chart and the table under it, draft beside live; bad input
//! re-renders the form with the input kept and the field named; reps are refused and see no
//! link to it, managers do.

use super::signed_in;
use crate::api_routing::{lead, round_robin, set_rules};
use crate::harness::{Org, zh};
use crate::leads_kit::source;
use chrono::{Duration, FixedOffset, Utc};
use kehu_testkit::BACKENDS;
use serde_json::{Value, json};

const PAGE: &str = "/admin/routing/simulate";

/// Yesterday and tomorrow in the team's time (UTC+8, the server's default).
fn days_around_today() -> (String, String) {
    #[expect(
        clippy::disallowed_methods,
        reason = "leads are received at the real present the server runs in"
    )]
    let now = Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3600).expect("offset"));
    let day = |d: i64| (now + Duration::days(d)).format("%Y-%m-%d").to_string();
    (day(-1), day(1))
}

#[tokio::test]
async fn a_simulation_from_the_page_shows_a_bar_group_and_a_row_per_rep() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a, &o.rep_b])])).await;
        for n in 0..4 {
            lead(&o, &token, n).await;
        }
        let web = signed_in(&o.app, "admin").await;
        let form = web.get(PAGE).await.status(200);
        let shown: Value =
            serde_json::from_str(&form.text("#rules")).expect("the live rules as JSON");
        assert_eq!(shown["rules"][0]["name"], "华东", "{}", form.what);
        assert!(
            form.attr("#from", "value").is_some_and(|v| v.len() == 10),
            "{}",
            form.body
        );
        assert_eq!(
            form.count("#simulate-results"),
            0,
            "no results before a run"
        );

        let draft = json!({ "rules": [round_robin("华南", &[], &[&o.rep_b, &o.south_rep])] });
        let (from, to) = days_around_today();
        let csrf = form.csrf();
        let text = draft.to_string();
        let fields = [
            ("csrf", csrf.as_str()),
            ("from", &from),
            ("to", &to),
            ("rules", &text),
        ];
        let run = web.post(PAGE, &fields).await.status(200);
        let names = run.texts("#simulate-table tr.simulate-rep td.rep");
        let want = [&o.rep_a.name, &o.rep_b.name, &o.south_rep.name].map(String::as_str);
        assert_eq!(names, want, "{b:?}");
        let live = run.texts("#simulate-table tr.simulate-rep td.live.received");
        let draft_got = run.texts("#simulate-table tr.simulate-rep td.draft.received");
        assert_eq!(live, ["2", "2", ""], "{b:?}: live, south_rep not in it");
        assert_eq!(draft_got, ["", "2", "2"], "{b:?}: draft, rep_a not in it");
        let share = run.texts("#simulate-table tr.simulate-rep td.draft.share");
        assert_eq!(share, ["", "50.0%", "50.0%"], "{b:?}");
        assert_eq!(
            run.count("#simulate-chart g.rep-bars"),
            3,
            "{b:?}: one group per rep"
        );
        assert_eq!(
            run.count("#simulate-chart g.rep-bars rect.bar"),
            6,
            "{b:?}: live and draft"
        );
        let group = format!(
            "#simulate-chart g.rep-bars[data-user=\"{}\"] rect.draft",
            o.south_rep.id
        );
        assert_eq!(run.count(&group), 1, "{b:?}");
        let marks = run.count("#simulate-chart g.rep-bars line.target");
        assert_eq!(marks, 4, "{b:?}: a target mark where a list names the rep");
        let leads = run.texts("#simulate-figures tr[data-figure=\"simulate.leads\"] td");
        assert_eq!(
            leads,
            [zh("simulate.leads"), "4".into(), "4".into()],
            "{b:?}"
        );
        assert_eq!(
            run.text("#rules"),
            text,
            "{b:?}: the draft stays in the form"
        );

        // The admin makes the simulated draft the live rules from the results.
        assert_eq!(
            run.attr("#enable-rules input[name=rules]", "value"),
            Some(text.clone())
        );
        let csrf = run.csrf();
        let saved = web
            .post(
                "/admin/routing/rules",
                &[("csrf", csrf.as_str()), ("rules", &text)],
            )
            .await
            .status(303);
        assert_eq!(
            saved.location(),
            "/admin/routing/simulate?flash=rules_saved",
            "{b:?}"
        );
        let live = o
            .app
            .get(&o.admin, "/api/v1/routing-rules")
            .await
            .assert_status(200);
        assert_eq!(live.body["rules"][0]["name"], "华南", "{b:?}");
        let after = web
            .get("/admin/routing/simulate?flash=rules_saved")
            .await
            .status(200);
        assert_eq!(after.text("#flash"), zh("simulate.rules_saved"), "{b:?}");
        // A bad draft is refused naming the field, and nothing changes.
        let bad = json!({ "rules": [{ "name": "x", "strategy": "round_robin", "target": {} }] })
            .to_string();
        let csrf = after.csrf();
        let refused = web
            .post(
                "/admin/routing/rules",
                &[("csrf", csrf.as_str()), ("rules", &bad)],
            )
            .await
            .status(422);
        assert!(
            refused
                .text("#error-rules")
                .contains("rules[0].target.reps"),
            "{b:?}: {}",
            refused.body
        );
        let still = o
            .app
            .get(&o.admin, "/api/v1/routing-rules")
            .await
            .assert_status(200);
        assert_eq!(still.body["rules"][0]["name"], "华南", "{b:?}");
        // A manager simulates but does not enable.
        let mgr = signed_in(&o.app, "mgr_east").await;
        let page = mgr.get(PAGE).await.status(200);
        let csrf = page.csrf();
        mgr.post(
            "/admin/routing/rules",
            &[("csrf", csrf.as_str()), ("rules", &text)],
        )
        .await
        .status(403);
    }
}

#[tokio::test]
async fn bad_simulation_input_is_shown_at_its_field_and_reps_are_refused() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let web = signed_in(&o.app, "mgr_east").await;
        let form = web.get(PAGE).await.status(200);
        assert_eq!(
            form.count("#nav-simulate"),
            1,
            "{b:?}: managers have the link"
        );
        let empty =
            r#"{"rules": [{"name": "空", "target": {"reps": []}, "strategy": "round_robin"}]}"#;
        let csrf = form.csrf();
        let fields = [
            ("csrf", csrf.as_str()),
            ("from", "2026-13-01"),
            ("to", "2026-01-31"),
            ("rules", empty),
        ];
        let r = web.post(PAGE, &fields).await.status(422);
        assert_eq!(r.text("#error-from"), zh("error.datetime_invalid"), "{b:?}");
        let rules = r.texts("#error-rules li");
        assert_eq!(
            rules,
            [format!("rules[0].target.reps: {}", zh("error.required"))],
            "{b:?}"
        );
        assert_eq!(
            r.attr("#from", "value").as_deref(),
            Some("2026-13-01"),
            "input kept"
        );
        assert_eq!(r.text("#rules"), empty, "{b:?}: input kept");
        assert_eq!(r.count("#simulate-results"), 0);
        let fields = [
            ("csrf", csrf.as_str()),
            ("from", "2026-01-01"),
            ("to", "2026-01-31"),
            ("rules", r#"[{"name": "#),
        ];
        let r = web.post(PAGE, &fields).await.status(422);
        assert_eq!(
            r.texts("#error-rules li"),
            [format!("rules: {}", zh("error.invalid_json"))],
            "{}",
            r.body
        );
        let no_csrf = [("from", "2026-01-01"), ("to", "2026-01-31")];
        web.post(PAGE, &no_csrf).await.assert_csrf_refused();

        let rep = signed_in(&o.app, "rep_a").await;
        rep.get(PAGE).await.status(403);
        let list = rep.get("/customers").await.status(200);
        assert_eq!(list.count("#nav-simulate"), 0, "{b:?}: reps have no link");
    }
}

#[tokio::test]
async fn the_page_takes_the_new_criteria_and_shows_pooled_leads_apart() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        set_rules(&o, json!([round_robin("全部", &[], &[&o.rep_a])])).await;
        for n in 0..3 {
            lead(&o, &token, n).await;
        }
        let team = o
            .app
            .store()
            .actor(kehu_domain::ids::UserId(o.rep_a.id))
            .await
            .expect("read")
            .expect("rep")
            .team_id
            .expect("team")
            .0;
        let web = signed_in(&o.app, "admin").await;
        let form = web.get(PAGE).await.status(200);
        let (from, to) = days_around_today();
        let csrf = form.csrf();
        let run = |rules: String| {
            let (web, csrf, from, to) = (&web, csrf.clone(), from.clone(), to.clone());
            async move {
                let fields = [
                    ("csrf", csrf.as_str()),
                    ("from", from.as_str()),
                    ("to", to.as_str()),
                    ("rules", rules.as_str()),
                ];
                web.post(PAGE, &fields).await
            }
        };
        // The leads name no province: a 华东 rule misses them, and the pool rule takes them.
        let draft = json!({ "rules": [
            { "name": "华东", "strategy": "round_robin", "criteria": { "regions": ["华东"] },
              "target": { "reps": [{ "user": o.rep_b.id }] } },
            { "name": "认领", "strategy": "round_robin", "target": { "lead_pool": team } },
        ] });
        let page = run(draft.to_string()).await.status(200);
        let pooled = page.texts("#simulate-figures tr[data-figure=\"simulate.pooled\"] td");
        assert_eq!(
            pooled,
            [zh("simulate.pooled"), "0".into(), "3".into()],
            "{b:?}"
        );
        let unrouted = page.texts("#simulate-figures tr[data-figure=\"simulate.unrouted\"] td");
        assert_eq!(
            unrouted,
            [zh("simulate.unrouted"), "0".into(), "0".into()],
            "{b:?}"
        );
        let bad = draft.to_string().replace("华东", "江南");
        let refused = run(bad).await.status(422);
        assert_eq!(
            refused.texts("#error-rules li"),
            [format!(
                "rules[0].criteria.regions[0]: {}",
                zh("error.unknown_value")
            )],
            "{b:?}"
        );
    }
}
