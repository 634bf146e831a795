//! 转为客户: the rep a lead is assigned to opens the new-customer form filled from it, saves,
//! and the lead then points at the customer with the step in its history. Nobody else can
//! open the filled form or link the lead, whatever id they send: the page and the API refuse
//! it before saving.

use super::signed_in;
use crate::api_routing::{round_robin, set_rules};
use crate::harness::{Org, id_of, zh};
use crate::leads_kit::{send_and_read, source};
use kehu_testkit::BACKENDS;
use serde_json::json;

#[tokio::test]
async fn the_assigned_rep_makes_a_customer_of_a_lead_and_the_lead_points_at_it() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a])])).await;
        let body = json!({ "company": "苏州华星精密机械有限公司", "contact_name": "张伟",
                           "phone": "139 1234 5678", "province": "江苏", "city": "苏州",
                           "industry": "机械设备" });
        let lead = id_of(&send_and_read(&o, &token, "convert-1", &body).await);
        let page_of = format!("/leads/{lead}");

        // Another rep may neither open the filled form nor see the lead.
        let other = signed_in(&o.app, "rep_b").await;
        other
            .get(&format!("/customers/new?from_lead={lead}"))
            .await
            .status(404);

        let rep = signed_in(&o.app, "rep_a").await;
        let page = rep.get(&page_of).await.status(200);
        assert_eq!(
            page.attr("#lead-convert", "href").as_deref(),
            Some(format!("/customers/new?from_lead={lead}").as_str()),
            "{b:?}"
        );
        let form = rep
            .get(&format!("/customers/new?from_lead={lead}"))
            .await
            .status(200);
        let value = |name: &str| form.attr(&format!("#new-customer [name='{name}']"), "value");
        assert_eq!(
            value("name").as_deref(),
            Some("苏州华星精密机械有限公司"),
            "{b:?}"
        );
        assert_eq!(value("phone").as_deref(), Some("13912345678"), "{b:?}");
        assert_eq!(value("contact_name").as_deref(), Some("张伟"), "{b:?}");
        assert_eq!(value("city").as_deref(), Some("苏州"), "{b:?}");
        assert_eq!(
            value("from_lead").as_deref(),
            Some(lead.to_string().as_str()),
            "{b:?}"
        );
        assert_eq!(
            form.attr("#source option[selected]", "value").as_deref(),
            Some("web"),
            "{b:?}: 官网表单 is the customer source of that name"
        );

        // rep_b posts the same lead id with a customer of their own: refused before anything
        // is saved, the lead untouched.
        let csrf_b = other.get("/customers/new").await.status(200).csrf();
        let lead_s = lead.to_string();
        let theirs = [
            ("csrf", csrf_b.as_str()),
            ("name", "无锡新材"),
            ("phone", "13911112222"),
            ("source", "web"),
            ("from_lead", lead_s.as_str()),
        ];
        other.post("/customers", &theirs).await.status(422);
        assert!(
            o.app.list_ids(&o.rep_b, "scope=mine").await.is_empty(),
            "{b:?}: nothing saved"
        );
        let unlinked = o.app.get(&o.rep_a, &format!("/api/v1/leads/{lead}")).await;
        assert_eq!(
            unlinked.assert_status(200).body["customer"],
            json!(null),
            "{b:?}"
        );

        // rep_a saves the filled form: the customer is theirs and the lead points at it.
        let csrf = form.csrf();
        let mine = [
            ("csrf", csrf.as_str()),
            ("name", "苏州华星精密机械有限公司"),
            ("phone", "139 1234 5678"),
            ("source", "web"),
            ("intent", "medium"),
            ("contact_name", "张伟"),
            ("city", "苏州"),
            ("province", "江苏"),
            ("from_lead", lead_s.as_str()),
        ];
        let saved = rep.post("/customers", &mine).await.status(303);
        let customer: i64 = saved
            .location()
            .trim_start_matches("/customers/")
            .split('?')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("customer id");
        let page = rep.get(&page_of).await.status(200);
        assert_eq!(
            page.attr("#lead-customer", "href").as_deref(),
            Some(format!("/customers/{customer}").as_str()),
            "{b:?}"
        );
        assert_eq!(page.count("#lead-convert"), 0, "{b:?}: once only");
        let history = page.text("#lead-history");
        let step = zh("leads.event_converted").replace("{by}", &o.rep_a.name);
        assert!(history.contains(&step), "{b:?}: {history}");
    }
}

#[tokio::test]
async fn the_api_makes_a_customer_of_a_lead_only_for_its_rep() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a])])).await;
        let body = json!({ "company": "无锡宏达仓储", "phone": "13955556666", "city": "无锡" });
        let lead = id_of(&send_and_read(&o, &token, "convert-api", &body).await);
        let customer = json!({ "name": "无锡宏达仓储", "phone": "13955556666", "source": "web",
                               "from_lead": lead });
        // Not rep_b's lead: refused before anything is saved.
        o.app
            .post(&o.rep_b, "/api/v1/customers", customer.clone())
            .await
            .assert_problem(422)
            .assert_fields(&["from_lead"]);
        assert!(
            o.app.list_ids(&o.rep_b, "scope=mine").await.is_empty(),
            "{b:?}"
        );
        let made = o
            .app
            .post(&o.rep_a, "/api/v1/customers", customer.clone())
            .await;
        let made = id_of(&made.assert_status(201).body);
        let read = o.app.get(&o.rep_a, &format!("/api/v1/leads/{lead}")).await;
        assert_eq!(
            read.assert_status(200).body["customer"],
            json!({ "id": made, "name": "无锡宏达仓储" }),
            "{b:?}"
        );
        // Once only.
        let again = json!({ "name": "无锡宏达", "phone": "13955557777", "source": "web",
                            "from_lead": lead });
        o.app
            .post(&o.rep_a, "/api/v1/customers", again)
            .await
            .assert_problem(422)
            .assert_fields(&["from_lead"]);
    }
}
