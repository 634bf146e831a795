//! The routing simulator by hand: an admin opens it from the header, types a draft rule list
//! over the live one and runs it; the table shows where each rep's leads would have gone.

use super::*;
use crate::api_routing::{lead, round_robin, set_rules};
use crate::harness::Org;
use crate::leads_kit::source as lead_source;

#[tokio::test]
async fn an_admin_simulates_a_draft_from_the_page_and_reads_the_table() {
    let o = Org::start(Backend::Sqlite).await;
    let base = o.app.bases[0].clone();
    let (_, token) = lead_source(&o, 100).await;
    set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a, &o.rep_b])])).await;
    for n in 0..4 {
        lead(&o, &token, n).await;
    }

    let b = Browser::start().await;
    log_in(&b, &base, "admin", &o.admin.name).await;
    b.click_and_wait_navigation("#nav-simulate").await;
    assert_eq!(path(&b).await, "/admin/routing/simulate");
    assert!(
        value_of(&b, "rules").await.contains("华东"),
        "the live rules are filled in"
    );
    let draft = json!([round_robin("只给南方", &[], &[&o.south_rep])]);
    b.fill("rules", &draft.to_string()).await;
    b.click_and_wait_navigation("#simulate-run").await;
    let html = source(&b).await;
    let names = texts(&html, "#simulate-table tr.simulate-rep td.rep");
    let want = [&o.rep_a.name, &o.rep_b.name, &o.south_rep.name].map(String::as_str);
    assert_eq!(names, want);
    let live = texts(&html, "#simulate-table tr.simulate-rep td.live.received");
    let draft = texts(&html, "#simulate-table tr.simulate-rep td.draft.received");
    assert_eq!(
        live,
        ["2", "2", ""],
        "live: round robin over rep_a and rep_b"
    );
    assert_eq!(
        draft,
        ["", "", "4"],
        "the draft gives everything to south_rep"
    );
    assert_eq!(texts(&html, "#simulate-chart g.rep-bars").len(), 3);
    b.close().await;
}
