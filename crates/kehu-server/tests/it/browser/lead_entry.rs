//! A lead entered by hand in a real browser lands on the lead page saying where it went, and
//! the rep's workbench counts its response window down.

use super::*;
use crate::api_routing::{round_robin, set_rules};
use crate::harness::{Org, fresh_phone};
use crate::leads_kit::source as lead_source;
use reqwest::Method;

/// Issue 5, points 1 (manual entry through the intake path) and 6 (the workbench countdown).
#[tokio::test]
async fn a_rep_enters_a_lead_sees_where_it_went_and_its_countdown_on_the_workbench() {
    let o = Org::with_app(TestApp::start(Backend::Sqlite).await).await;
    let base = o.app.bases[0].clone();
    let (src, _) = lead_source(&o, 100).await;
    let window_path = format!("/api/v1/lead-sources/{src}/response-window");
    let window = json!({ "minutes": 90 });
    o.app
        .send(&o.admin, Method::PUT, &window_path, Some(&window))
        .await
        .assert_status(200);
    set_rules(&o, json!([round_robin("直派", &[], &[&o.rep_a])])).await;

    let b = Browser::start().await;
    log_in(&b, &base, "rep_a", "用户rep_a").await;
    assert!(b.exists("#no-open-leads").await, "nothing waits yet");
    b.goto(&format!("{base}/leads")).await;
    b.click_and_wait_navigation("#new-lead-link").await;
    assert_eq!(path(&b).await, "/leads/new");
    b.fill("source", &src.to_string()).await;
    b.fill("company", "嘉兴海宁皮革").await;
    b.fill("contact_name", "沈经理").await;
    b.fill("phone", &fresh_phone()).await;
    b.fill("message", "电话咨询，想要样品").await;
    b.click_and_wait_navigation("#save-lead").await;
    let at = path(&b).await;
    assert!(
        at.starts_with("/leads/") && at.ends_with("?flash=entered"),
        "{at}"
    );
    assert_eq!(b.text("#flash").await, zh("lead_entry.entered"));
    assert_eq!(b.text("#lead-assignee").await, "用户rep_a");
    let html = source(&b).await;
    let why = texts(&html, "#lead-routing li");
    let chosen = ui_fmt(
        "zh-CN",
        "routing.chosen",
        &[("rule", "直派"), ("rep", "用户rep_a")],
    );
    assert_eq!(why.first(), Some(&chosen), "{why:?}");
    let id = at
        .trim_start_matches("/leads/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();

    // The workbench lists it with the minutes left, and the script keeps them current.
    b.click_and_wait_navigation("#nav-mine").await;
    let clock = format!("#my-open-leads li[data-id=\"{id}\"] .countdown");
    let left = b.text(&clock).await;
    let want = ["90", "89"].map(|m| ui_fmt("zh-CN", "leads.window_left", &[("minutes", m)]));
    assert!(want.contains(&left), "{left}");
    b.client
        .execute(
            "const el = document.querySelector('#my-open-leads .countdown'); \
             el.dataset.due = new Date(Date.now() - 3 * 60000 - 1000).toISOString(); \
             document.dispatchEvent(new Event('visibilitychange'));",
            vec![],
        )
        .await
        .expect("script");
    let over = b.text(&format!("{clock}.breached")).await;
    assert_eq!(
        over,
        ui_fmt("zh-CN", "leads.window_over", &[("minutes", "3")])
    );
    b.click_and_wait_navigation(&format!("#my-open-leads li[data-id=\"{id}\"] a"))
        .await;
    assert_eq!(path(&b).await, format!("/leads/{id}"));
    b.close().await;
}
