//! Entering a lead by hand on `/leads/new`, on both engines: it goes through intake and
//! routing, the lead page says where it went, a resent form makes no second lead, and errors
//! stand at their fields with the input kept.

use super::{Page, Web, signed_in};
use crate::api_routing::{round_robin, set_rules};
use crate::harness::{Org, fresh_phone, id_of, zh};
use crate::leads_kit::source;
use kehu_testkit::BACKENDS;
use serde_json::json;

const FORM: &str = "/leads/new";

/// The fields of a fresh form: csrf, key, and the source chosen.
async fn fresh_form(web: &Web, source: i64) -> (String, String, String) {
    let page = web.get(FORM).await.status(200);
    let key = page
        .attr("#new-lead input[name=key]", "value")
        .expect("key field");
    assert!(key.len() >= 20, "{}: a key per form: {key}", page.what);
    let offered = page.attrs("#source option", "value");
    assert!(offered.contains(&source.to_string()), "{offered:?}");
    (page.csrf(), key, source.to_string())
}

async fn post(web: &Web, csrf: &str, key: &str, fields: &[(&str, &str)]) -> Page {
    let mut form = vec![("csrf", csrf), ("key", key)];
    form.extend_from_slice(fields);
    web.post(FORM, &form).await
}

/// The lead ids the admin can read.
async fn all_leads(o: &Org) -> Vec<i64> {
    let r = o
        .app
        .get(&o.admin, "/api/v1/leads")
        .await
        .assert_status(200);
    r.items().iter().map(id_of).collect()
}

#[tokio::test]
async fn a_lead_entered_on_the_form_is_routed_and_sending_it_again_makes_no_second() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (src, _) = source(&o, 100).await;
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a])])).await;
        // rep_b takes the call; the rules give the lead to rep_a.
        let web = signed_in(&o.app, "rep_b").await;
        let list = web.get("/leads").await.status(200);
        assert_eq!(list.attr("#new-lead-link", "href").as_deref(), Some(FORM));
        let (csrf, key, src) = fresh_form(&web, src).await;
        let (_, other_key, _) = fresh_form(&web, src.parse().expect("id")).await;
        assert_ne!(key, other_key, "[{b:?}] each rendering has its own key");
        let phone = fresh_phone();
        let fields = [
            ("source", src.as_str()),
            ("company", "无锡新材料"),
            ("contact_name", "钱经理"),
            ("phone", phone.as_str()),
            ("message", "展会上留的名片"),
            ("industry", "新材料"),
            ("tags", "展会, 需要演示、展会"),
        ];
        let sent = post(&web, &csrf, &key, &fields).await.status(303);
        let to = sent.location();
        assert!(to.ends_with("?flash=entered"), "{to}");
        let lead = web.get(&to).await.status(200);
        assert_eq!(lead.text("#flash"), zh("lead_entry.entered"), "{b:?}");
        assert_eq!(lead.text("#lead-assignee"), o.rep_a.name, "{b:?}");
        assert_eq!(lead.text("#lead-explanation"), zh("leads.explain_none"));
        assert!(
            lead.count("#lead-routing li") > 0,
            "{b:?}: the rule is named"
        );
        assert_eq!(lead.text("#lead-message"), "展会上留的名片");
        // A double click, or the page sent again: the same lead, nothing new.
        let again = post(&web, &csrf, &key, &fields).await.status(303);
        let id = |loc: &str| {
            loc.trim_start_matches("/leads/")
                .split('?')
                .next()
                .map(str::to_owned)
        };
        assert_eq!(id(&again.location()), id(&to), "{b:?}");
        assert!(again.location().ends_with("?flash=entered_again"));
        let shown = web.get(&again.location()).await.status(200);
        assert_eq!(shown.text("#flash"), zh("lead_entry.entered_again"));
        let leads = all_leads(&o).await;
        assert_eq!(leads.len(), 1, "{b:?}: one lead");
        let lead = crate::leads_kit::read_lead(&o, leads[0]).await;
        assert_eq!(lead["industry"], "新材料", "{b:?}");
        assert_eq!(
            lead["tags"],
            serde_json::json!(["展会", "需要演示"]),
            "{b:?}: split and kept once"
        );
        // The same key with other content is refused, and the form gets a new key.
        let other = [("source", src.as_str()), ("company", "别的公司")];
        let refused = post(&web, &csrf, &key, &other).await.status(422);
        assert_eq!(refused.text("#form-error"), zh("lead_entry.key_refused"));
        let renewed = refused.attr("#new-lead input[name=key]", "value");
        assert!(renewed.is_some_and(|k| k != key), "{b:?}: a fresh key");
        assert_eq!(all_leads(&o).await.len(), 1, "{b:?}");
    }
}

#[tokio::test]
async fn errors_stand_at_their_fields_with_the_input_kept_and_nothing_is_written() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (src, _) = source(&o, 100).await;
        let web = signed_in(&o.app, "rep_a").await;
        let (csrf, key, src) = fresh_form(&web, src).await;
        let bad = [
            ("source", src.as_str()),
            ("company", "华星"),
            ("phone", "12"),
            ("email", "x@"),
        ];
        let page = post(&web, &csrf, &key, &bad).await.status(422);
        assert_eq!(
            page.text("#error-phone"),
            zh("error.phone_invalid"),
            "{b:?}"
        );
        assert_eq!(
            page.text("#error-email"),
            zh("error.email_invalid"),
            "{b:?}"
        );
        assert_eq!(page.count("#error-company"), 0, "{b:?}");
        assert_eq!(page.attr("#company", "value").as_deref(), Some("华星"));
        assert_eq!(page.attr("#phone", "value").as_deref(), Some("12"));
        let chosen = page.attr("#source option[selected]", "value");
        assert_eq!(chosen.as_deref(), Some(src.as_str()), "{b:?}: source kept");
        let kept = page.attr("#new-lead input[name=key]", "value");
        assert_eq!(kept.as_deref(), Some(key.as_str()), "{b:?}: the same form");
        // No one to call, and no source.
        let page = post(&web, &csrf, &key, &[("message", "报价")])
            .await
            .status(422);
        assert_eq!(page.text("#error-source"), zh("error.required"), "{b:?}");
        for field in ["company", "contact_name", "phone"] {
            let want = zh("error.lead_who_required");
            assert_eq!(page.text(&format!("#error-{field}")), want, "{b:?}");
        }
        assert!(all_leads(&o).await.is_empty(), "{b:?}: nothing written");
        // Fixed, the same form goes in.
        let phone = fresh_phone();
        let good = [("source", src.as_str()), ("phone", phone.as_str())];
        post(&web, &csrf, &key, &good).await.status(303);
        assert_eq!(all_leads(&o).await.len(), 1, "{b:?}");
        // Without the session's CSRF token nothing happens.
        post(&web, "forged", &key, &good)
            .await
            .assert_csrf_refused();
    }
}
