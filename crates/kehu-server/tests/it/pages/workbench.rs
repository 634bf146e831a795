//! The rep's workbench ("my customers", where a login lands), on both engines: each lead
//! assigned to the rep and not answered yet, with its countdown to the window's due time,
//! overdue ones marked, and never a colleague's lead — not even to their manager.

use super::signed_in;
use crate::api_routing::{lead, round_robin, set_rules};
use crate::harness::{Org, TestApp, fresh_phone, id_of, ui_fmt, zh};
use crate::leads_kit::{send, source};
use chrono::{DateTime, Duration, DurationRound, SecondsFormat, Utc};
use kehu_testkit::{BACKENDS, Backend};
use reqwest::Method;
use serde_json::{Value, json};

const ROWS: &str = "#my-open-leads li[data-id]";

/// Moves lead `id`'s window due time to `due`, straight in the database (the server's clock
/// is the wall clock; a window cannot be made to pass in a test otherwise).
async fn set_due(app: &TestApp, id: i64, due: DateTime<Utc>) {
    const SQL: &str = "update leads set window_due_at = $1 where id = $2";
    match app.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.db.url).await.expect("db");
            let q = sqlx::query(SQL).bind(due).bind(id);
            q.execute(&pool).await.expect("update");
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.db.url).await.expect("db");
            let q = sqlx::query(SQL).bind(due).bind(id);
            q.execute(&pool).await.expect("update");
        }
    }
}

fn rfc3339(v: &Value) -> String {
    let s = v.as_str().unwrap_or_else(|| panic!("not an instant: {v}"));
    let at = DateTime::parse_from_rfc3339(s).expect("instant");
    at.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[tokio::test]
async fn the_workbench_counts_down_my_own_unanswered_leads_only() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        let window = json!({ "minutes": 90 });
        let path = format!("/api/v1/lead-sources/{src}/response-window");
        o.app
            .send(&o.admin, Method::PUT, &path, Some(&window))
            .await
            .assert_status(200);
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a])])).await;
        let (soon, later, answered) = (
            lead(&o, &token, 1).await,
            lead(&o, &token, 2).await,
            lead(&o, &token, 3).await,
        );
        let respond = format!("/api/v1/leads/{}/respond", id_of(&answered));
        o.app
            .post(&o.rep_a, &respond, json!({}))
            .await
            .assert_status(200);
        // rep_b's customer sends a lead: it is rep_b's, not on rep_a's workbench.
        let phone = fresh_phone();
        o.app.customer(&o.rep_b, "常州恒力", &phone).await;
        let theirs = send(&o.app, &token, Some("b"), &json!({ "phone": phone })).await;
        let theirs = id_of(&theirs.assert_status(201).body);
        #[expect(
            clippy::disallowed_methods,
            reason = "the server runs on the wall clock"
        )]
        let past = Utc::now() - Duration::minutes(5);
        let past = past
            .duration_trunc(Duration::seconds(1))
            .expect("whole seconds");
        set_due(&o.app, id_of(&soon), past).await;

        let web = signed_in(&o.app, "rep_a").await;
        let page = web.get("/customers").await.status(200);
        let ids = page.attrs(ROWS, "data-id");
        let want = [id_of(&soon).to_string(), id_of(&later).to_string()];
        assert_eq!(
            ids, want,
            "{b:?}: overdue first, answered and others' left out"
        );
        let row = |id: i64| format!("#my-open-leads li[data-id=\"{id}\"]");
        let due = page.attr(&format!("{} .countdown", row(id_of(&later))), "data-due");
        assert_eq!(due, Some(rfc3339(&later["window_due_at"])), "{b:?}");
        let left = page.text(&format!("{} .countdown", row(id_of(&later))));
        let in_time = ["90", "89"].map(|m| ui_fmt("zh-CN", "leads.window_left", &[("minutes", m)]));
        assert!(in_time.contains(&left), "{b:?}: {left}");
        let over = page.text(&format!(
            "{}.overdue .countdown.breached",
            row(id_of(&soon))
        ));
        assert!(
            ["5", "4"]
                .map(|m| ui_fmt("zh-CN", "leads.window_over", &[("minutes", m)]))
                .contains(&over),
            "{b:?}: {over}"
        );
        let link = page.attr(&format!("{} a", row(id_of(&soon))), "href");
        assert_eq!(link, Some(format!("/leads/{}", id_of(&soon))), "{b:?}");

        // rep_b sees theirs alone; their manager, who may read both, sees neither.
        let rep_b = signed_in(&o.app, "rep_b").await;
        let page = rep_b.get("/customers").await.status(200);
        assert_eq!(page.attrs(ROWS, "data-id"), [theirs.to_string()], "{b:?}");
        let manager = signed_in(&o.app, "mgr_east").await;
        let page = manager.get("/customers").await.status(200);
        assert_eq!(page.count("#my-open-leads"), 0, "{b:?}");
        // Other tabs are lists only.
        let pool = web.get("/customers?scope=pool").await.status(200);
        assert_eq!(pool.count("#my-open-leads"), 0, "{b:?}");
        let rep = signed_in(&o.app, "rep_south").await;
        let page = rep.get("/customers").await.status(200);
        assert_eq!(page.text("#no-open-leads"), zh("workbench.none"), "{b:?}");
    }
}
