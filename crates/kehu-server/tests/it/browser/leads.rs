//! Leads in a real browser: the lead page explains where a lead went, the response window
//! counts down on the rep's list and stops at the first response, and a rep claims a lead
//! from the team's lead pool.

use super::*;
use crate::api_routing::round_robin;
use crate::harness::{Org, fresh_phone};
use crate::leads_kit::{send, source as lead_source};
use kehu_domain::ids::UserId;
use reqwest::Method;

/// Issue 5, points 4, 6 and 7, as a rep sees them.
#[tokio::test]
async fn a_rep_sees_why_the_countdown_answers_and_claims_from_the_lead_pool() {
    let o = Org::with_app(TestApp::start(Backend::Sqlite).await).await;
    let base = o.app.bases[0].clone();
    let (src, token) = lead_source(&o, 100).await;
    o.app
        .send(
            &o.admin,
            Method::PUT,
            &format!("/api/v1/lead-sources/{src}/response-window"),
            Some(&json!({ "minutes": 90 })),
        )
        .await
        .assert_status(200);
    let east = o
        .app
        .store()
        .actor(UserId(o.rep_a.id))
        .await
        .expect("read")
        .expect("rep")
        .team_id
        .expect("team")
        .0;
    // Leads that name a province go to the 华东 pool; the rest to rep_a.
    let mut pool = round_robin("华东认领", &[], &[]);
    pool["criteria"] = json!({ "provinces": ["江苏省"] });
    pool["target"] = json!({ "lead_pool": east });
    let rules = json!({ "rules": [pool, round_robin("直派", &[], &[&o.rep_a])] });
    o.app
        .send(&o.admin, Method::PUT, "/api/v1/routing-rules", Some(&rules))
        .await
        .assert_status(200);
    let direct = send(
        &o.app,
        &token,
        Some("b1"),
        &json!({ "company": "杭州云帆科技", "phone": fresh_phone() }),
    )
    .await
    .assert_status(201);
    let direct = id_of(&direct.body);
    let pooled = send(
        &o.app,
        &token,
        Some("b2"),
        &json!({ "company": "南京长江电气", "phone": fresh_phone(), "province": "江苏省" }),
    )
    .await
    .assert_status(201);
    let pooled = id_of(&pooled.body);

    let b = Browser::start().await;
    log_in(&b, &base, "rep_a", "用户rep_a").await;
    b.goto(&format!("{base}/leads")).await;
    let left = b
        .text(&format!("tr[data-id=\"{direct}\"] .countdown"))
        .await;
    let want = [
        ui_fmt("zh-CN", "leads.window_left", &[("minutes", "90")]),
        ui_fmt("zh-CN", "leads.window_left", &[("minutes", "89")]),
    ];
    assert!(want.contains(&left), "{left}");
    // The script keeps it current: a window that closed 5 minutes ago reads as over.
    b.client
        .execute(
            "const el = document.querySelector('.countdown'); \
             el.dataset.due = new Date(Date.now() - 5 * 60000 - 1000).toISOString(); \
             document.dispatchEvent(new Event('visibilitychange'));",
            vec![],
        )
        .await
        .expect("script");
    let over = b.text(".countdown.breached").await;
    assert_eq!(
        over,
        ui_fmt("zh-CN", "leads.window_over", &[("minutes", "5")])
    );

    // The lead page says which rule gave it to whom, and the rep answers.
    b.goto(&format!("{base}/leads/{direct}")).await;
    let html = source(&b).await;
    let why = texts(&html, "#lead-routing li");
    assert_eq!(
        why.first().map(String::as_str),
        Some(
            ui_fmt(
                "zh-CN",
                "routing.chosen",
                &[("rule", "直派"), ("rep", "用户rep_a")]
            )
            .as_str()
        ),
        "{why:?}"
    );
    b.fill("note", "已电话联系").await;
    b.click_and_wait_navigation("#lead-respond button").await;
    assert_eq!(b.text("#flash").await, zh("leads.responded_done"));
    assert!(!b.exists(".countdown").await, "the clock stopped");
    assert!(b.exists("#lead-responded").await);
    b.clear_cookies().await;

    // rep_b claims the pooled lead from the pool page.
    log_in(&b, &base, "rep_b", "用户rep_b").await;
    b.click_and_wait_navigation("#nav-lead-pool").await;
    assert!(
        b.exists(&format!("#lead-pool li[data-id=\"{pooled}\"]"))
            .await
    );
    b.click_and_wait_navigation(&format!(
        "#lead-pool li[data-id=\"{pooled}\"] form.claim button"
    ))
    .await;
    assert_eq!(path(&b).await, format!("/leads/{pooled}?flash=claimed"));
    assert_eq!(b.text("#lead-assignee").await, "用户rep_b");
    assert!(
        b.exists(".countdown").await,
        "the window starts at the claim"
    );
    b.goto(&format!("{base}/leads/pool")).await;
    assert!(b.exists("#no-pooled-leads").await);
    b.close().await;
}
