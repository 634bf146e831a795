//! Merging duplicates over the API: who may, field errors, the redirect, undo by an admin.

use crate::harness::{Org, TestApp, TestUser, fresh_phone, id_of};
use kehu_testkit::BACKENDS;
use serde_json::{Value, json};

/// `GET path` as `user` without following redirects: (status, Location).
async fn get_unfollowed(app: &TestApp, user: &TestUser, path: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = client
        .get(format!("{}{path}", app.bases[0]))
        .bearer_auth(&user.token)
        .send()
        .await
        .expect("send");
    let location = r
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (r.status().as_u16(), location)
}

fn body(ids: &[i64], kept: i64, fields: &Value) -> Value {
    json!({ "customers": ids, "kept": kept, "fields": fields, "reason": "同一家公司" })
}

/// Creates a customer as `user` even when the door warns of similar ones (the rep confirms
/// each is a different customer, as a rep who does not know better would): that is how
/// duplicates get in, and what the review is for. Answers its JSON.
pub async fn create_despite_warning(app: &TestApp, user: &TestUser, mut body: Value) -> Value {
    let r = app.post(user, "/api/v1/customers", body.clone()).await;
    if r.status.as_u16() == 201 {
        return r.body;
    }
    let keys: Vec<Value> = r.body["possible_duplicates"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: {}", r.request, r.body))
        .iter()
        .map(|h| h["key"].clone())
        .collect();
    body["confirm_distinct"] = json!(keys);
    app.post(user, "/api/v1/customers", body)
        .await
        .assert_status(201)
        .body
}

/// Two duplicates in 华东 (owned by rep_a and rep_b) and one in 华南.
async fn duplicates(o: &Org) -> (Value, Value, i64) {
    let record = |name: &str| json!({ "name": name, "phone": fresh_phone(), "source": "web" });
    let a = create_despite_warning(&o.app, &o.rep_a, record("苏州华星精密")).await;
    let b = create_despite_warning(&o.app, &o.rep_b, record("苏州华星精密有限公司")).await;
    let south = create_despite_warning(&o.app, &o.south_rep, record("华星精密（苏州）")).await;
    (a, b, id_of(&south))
}

#[tokio::test]
async fn managers_merge_within_their_scope_and_the_merged_id_redirects() {
    for backend in BACKENDS {
        let o = Org::start(backend).await;
        let app = &o.app;
        let (a, b, south) = duplicates(&o).await;
        let (ia, ib) = (id_of(&a), id_of(&b));
        let path = "/api/v1/customers/merge";
        let fields = json!({ "name": ib, "owner": ib });
        app.post(&o.rep_a, path, body(&[ia, ib], ia, &fields))
            .await
            .assert_problem(403);
        app.post(&o.other_manager, path, body(&[ia, ib], ia, &fields))
            .await
            .assert_problem(404);
        app.post(&o.manager, path, body(&[ia, south], ia, &json!({})))
            .await
            .assert_problem(404);
        app.post(
            &o.manager,
            path,
            body(&[ia], 999_999, &json!({ "colour": ia, "phone": 999_999 })),
        )
        .await
        .assert_fields(&["customers", "kept", "colour", "phone"]);
        // Chosen on versions that are no longer current: nothing is written.
        let mut stale = body(&[ia, ib], ia, &fields);
        stale["versions"] = json!({ ib.to_string(): b["version"].as_i64().unwrap_or(0) + 1 });
        app.post(&o.manager, path, stale).await.assert_problem(409);
        assert!(app.list_ids(&o.manager, "scope=team").await.contains(&ib));

        let mut ok = body(&[ia, ib], ia, &fields);
        ok["versions"] = json!({ ia.to_string(): a["version"], ib.to_string(): b["version"] });
        let r = app.post(&o.manager, path, ok).await.assert_status(200);
        let kept = &r.body["customer"];
        assert_eq!(id_of(kept), ia, "{}", r.request);
        assert_eq!(kept["name"], b["name"], "{}", r.request);
        assert_eq!(kept["owner"]["id"], json!(o.rep_b.id), "{}", r.request);
        assert_eq!(kept["phone"], a["phone"], "{}", r.request);
        let contact_phones: Vec<_> = kept["contacts"]
            .as_array()
            .expect("contacts")
            .iter()
            .map(|k| k["phone"].clone())
            .collect();
        assert!(contact_phones.contains(&b["phone"]), "{}", r.body);

        // The merged-away id answers with a redirect to the kept one.
        let merged = format!("/api/v1/customers/{ib}");
        assert_eq!(
            get_unfollowed(app, &o.manager, &merged).await,
            (307, format!("/api/v1/customers/{ia}")),
            "{backend:?}"
        );
        let followed = app.get(&o.rep_b, &merged).await.assert_status(200);
        assert_eq!(id_of(&followed.body), ia, "{}", followed.request);
        // Someone who may not read the kept record learns nothing.
        app.get(&o.other_manager, &merged).await.assert_problem(404);
        assert_eq!(app.list_ids(&o.manager, "scope=team").await, [ia]);
        // A merged-away record is not merged again.
        app.post(&o.manager, path, body(&[ia, ib], ia, &json!({})))
            .await
            .assert_problem(404);
    }
}

#[tokio::test]
async fn only_an_admin_undoes_a_merge() {
    for backend in BACKENDS {
        let o = Org::start(backend).await;
        let app = &o.app;
        let (a, b, _) = duplicates(&o).await;
        let (ia, ib) = (id_of(&a), id_of(&b));
        let r = app
            .post(
                &o.manager,
                "/api/v1/customers/merge",
                body(&[ia, ib], ia, &json!({ "name": ib })),
            )
            .await
            .assert_status(200);
        let merge = r.body["merge_id"].as_i64().expect("merge id");
        let undo = format!("/api/v1/merges/{merge}/revert");
        for user in [&o.rep_a, &o.manager] {
            app.post(user, &undo, json!({})).await.assert_problem(403);
        }
        let r = app
            .post(&o.admin, &undo, json!({}))
            .await
            .assert_status(200);
        assert_eq!(r.body["restored"], json!([ib]), "{}", r.request);
        assert_eq!(r.body["restored_fields"], json!(["name"]), "{}", r.request);
        let back = app
            .get(&o.rep_b, &format!("/api/v1/customers/{ib}"))
            .await
            .assert_status(200);
        assert_eq!(id_of(&back.body), ib);
        let kept = app
            .get(&o.rep_a, &format!("/api/v1/customers/{ia}"))
            .await
            .assert_status(200);
        assert_eq!(kept.body["name"], a["name"]);
        app.post(&o.admin, &undo, json!({}))
            .await
            .assert_fields(&["merge"]);
        app.post(&o.admin, "/api/v1/merges/999999/revert", json!({}))
            .await
            .assert_problem(404);
    }
}

#[tokio::test]
async fn a_merge_carries_the_deals_and_an_undo_takes_them_back() {
    for backend in BACKENDS {
        let o = Org::start(backend).await;
        let app = &o.app;
        let (a, b, _) = duplicates(&o).await;
        let (ia, ib) = (id_of(&a), id_of(&b));
        let deals = |id: i64| format!("/api/v1/customers/{id}/deals");
        app.post(&o.rep_b, &deals(ib), json!({ "title": "年度采购" }))
            .await
            .assert_status(201);
        let r = app
            .post(
                &o.manager,
                "/api/v1/customers/merge",
                body(&[ia, ib], ia, &json!({})),
            )
            .await
            .assert_status(200);
        let list = app.get(&o.rep_a, &deals(ia)).await.assert_status(200);
        assert_eq!(
            list.body["items"][0]["title"], "年度采购",
            "{backend:?}: {}",
            list.body
        );
        // The kept record now has an open deal, so a recycle rule exempting open deals spares it.
        let kept = kehu_domain::ids::CustomerId(ia);
        let summary = app.store().deal_summary(kept).await.expect("summary");
        assert_eq!(summary.open_deals, 1, "{backend:?}");

        let merge = r.body["merge_id"].as_i64().expect("merge id");
        app.post(
            &o.admin,
            &format!("/api/v1/merges/{merge}/revert"),
            json!({}),
        )
        .await
        .assert_status(200);
        let list = app.get(&o.rep_a, &deals(ia)).await.assert_status(200);
        assert_eq!(
            list.body["items"],
            json!([]),
            "{backend:?}: the deal went back"
        );
        let back = app.get(&o.rep_b, &deals(ib)).await.assert_status(200);
        assert_eq!(back.body["items"][0]["title"], "年度采购", "{backend:?}");
        let summary = app.store().deal_summary(kept).await.expect("summary");
        assert_eq!(summary.open_deals, 0, "{backend:?}");
        let restored = kehu_domain::ids::CustomerId(ib);
        let summary = app.store().deal_summary(restored).await.expect("summary");
        assert_eq!(summary.open_deals, 1, "{backend:?}");
    }
}
