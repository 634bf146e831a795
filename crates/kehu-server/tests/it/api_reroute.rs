//! Leads waiting for a rep are routed again, on both engines: right after an admin saves a
//! rule that takes them, and by the job pass once the only rep comes back from leave.

use crate::api_routing::{lead, round_robin, set_rules};
use crate::harness::{Org, runner};
use crate::leads_kit::{on_leave, read_lead, source};
use chrono::Duration;
use kehu_server::jobs;
use serde_json::json;

#[tokio::test]
async fn a_waiting_lead_goes_out_as_soon_as_a_saved_rule_takes_it() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        let l = lead(&o, &token, 1).await;
        assert_eq!(l["status"], "unrouted", "{b:?}: no rules yet: {l}");
        set_rules(&o, json!([round_robin("官网", &[src], &[&o.rep_a])])).await;
        let id = l["id"].as_i64().expect("id");
        let l = read_lead(&o, id).await;
        assert_eq!(l["status"], "assigned", "{b:?}: {l}");
        assert_eq!(l["assigned_to"]["id"], o.rep_a.id, "{b:?}: {l}");
        assert_eq!(l["routing"]["rules"][0]["name"], "官网", "{b:?}: {l}");
    }
}

#[tokio::test]
async fn a_lead_waiting_for_a_rep_on_leave_goes_to_them_when_they_are_back() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        let now = on_leave(&o, &o.rep_b, -1, 3).await;
        set_rules(&o, json!([round_robin("官网", &[src], &[&o.rep_b])])).await;
        let l = lead(&o, &token, 2).await;
        assert_eq!(l["status"], "unrouted", "{b:?}: the only rep is away: {l}");
        let id = l["id"].as_i64().expect("id");
        // Still away: the pass tries and the lead keeps waiting, with the reason.
        let away = runner(&o.app, o.app.store().clone(), now + Duration::days(1));
        assert_eq!(jobs::run_once(&away).await.expect("pass").rerouted, 0);
        let l = read_lead(&o, id).await;
        assert_eq!(l["status"], "unrouted", "{b:?}: {l}");
        let skip = &l["routing"]["rules"][0]["candidates"][0]["skip"]["code"];
        assert_eq!(skip, "on_leave", "{b:?}: {l}");
        // Back: the next pass hands it over, once.
        let back = runner(&o.app, o.app.store().clone(), now + Duration::days(4));
        assert_eq!(jobs::run_once(&back).await.expect("pass").rerouted, 1);
        assert_eq!(jobs::run_once(&back).await.expect("pass").rerouted, 0);
        let l = read_lead(&o, id).await;
        assert_eq!(l["status"], "assigned", "{b:?}: {l}");
        assert_eq!(l["assigned_to"]["id"], o.rep_b.id, "{b:?}: {l}");
    }
}

#[tokio::test]
async fn a_lead_whose_routing_fails_is_still_taken_in_and_waits_unrouted() {
    for b in kehu_testkit::BACKENDS {
        let o = Org::start(b).await;
        let (src, token) = source(&o, 100).await;
        set_rules(&o, json!([round_robin("官网", &[src], &[&o.rep_a])])).await;
        // A hand-edited rule that no longer parses: routing fails inside the intake's
        // transaction, which must not cost the sender their lead.
        o.app
            .store()
            .execute_admin("update routing_rules set criteria = 'not json'")
            .await
            .expect("corrupt the rule");
        let l = lead(&o, &token, 3).await;
        assert_eq!(l["status"], "unrouted", "{b:?}: {l}");
        let id = l["id"].as_i64().expect("id");
        assert_eq!(read_lead(&o, id).await["status"], "unrouted", "{b:?}");
    }
}
