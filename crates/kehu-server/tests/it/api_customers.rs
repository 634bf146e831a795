//! `/api/v1`: health, authentication, and customers (create, read, list, update).
#![expect(
    clippy::disallowed_methods,
    reason = "tests stand in for the wall clock"
)]

use crate::harness::{TestApp, TestUser, fresh_phone, id_of};
use kehu_domain::Role;
use kehu_domain::access::CollaboratorAccess;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_testkit::BACKENDS;
use reqwest::Method;
use serde_json::json;

/// A root team with a rep, a second rep and a manager in one sub-team.
struct Org {
    app: TestApp,
    rep: TestUser,
    other_rep: TestUser,
    manager: TestUser,
}

async fn org(backend: kehu_testkit::Backend) -> Org {
    let app = TestApp::start(backend).await;
    let root = app.team("总部", None).await;
    let east = app.team("华东", Some(root)).await;
    let rep = app.user("rep", Role::Rep, east).await;
    let other_rep = app.user("other_rep", Role::Rep, east).await;
    let manager = app.user("manager", Role::Manager, east).await;
    Org {
        app,
        rep,
        other_rep,
        manager,
    }
}

#[tokio::test]
async fn health_answers_without_authentication() {
    for b in BACKENDS {
        let app = TestApp::start(b).await;
        let r = app
            .send_to(0, Method::GET, "/api/v1/health", None, None)
            .await
            .assert_status(200);
        assert_eq!(r.body["status"], "ok", "{b:?}: {}", r.body);
    }
}

#[tokio::test]
async fn missing_or_bad_tokens_are_401_problems() {
    for b in BACKENDS {
        let o = org(b).await;
        let app = &o.app;
        let body = json!({ "name": "苏州华星精密", "phone": fresh_phone(), "source": "web" });
        let bare_token = o.rep.token.as_str(); // a real token, but without the Bearer scheme
        for auth in [
            None,
            Some("Bearer not-a-token"),
            Some("Bearer "),
            Some(bare_token),
        ] {
            for (method, path, body) in [
                (Method::GET, "/api/v1/customers", None),
                (Method::POST, "/api/v1/customers", Some(&body)),
                (Method::GET, "/api/v1/customers/1", None),
            ] {
                app.send_to(0, method, path, auth, body)
                    .await
                    .assert_problem(401);
            }
        }
        // Nothing was created by the refused requests.
        assert!(
            app.list_ids(&o.rep, "scope=mine").await.is_empty(),
            "{b:?}: a refused POST created a customer"
        );
    }
}

#[tokio::test]
async fn create_normalises_the_phone_and_makes_the_creator_owner() {
    for b in BACKENDS {
        let o = org(b).await;
        let app = &o.app;
        let r = app
            .post(
                &o.rep,
                "/api/v1/customers",
                json!({ "name": "苏州华星精密", "phone": "138-0013-8000", "source": "web" }),
            )
            .await
            .assert_status(201);
        let c = &r.body;
        let id = id_of(c);
        assert!(id > 0, "{b:?}: {c}");
        assert_eq!(c["name"], "苏州华星精密", "{b:?}");
        assert_eq!(
            c["phone"], "+8613800138000",
            "{b:?}: phone normalised to E.164"
        );
        assert_eq!(c["phone_masked"], false, "{b:?}: the owner sees the phone");
        assert_eq!(c["source"], "web", "{b:?}");
        assert_eq!(c["in_pool"], false, "{b:?}");
        assert_eq!(c["owner"]["id"], o.rep.id, "{b:?}: creator owns it");
        assert_eq!(c["owner"]["name"], o.rep.name.as_str(), "{b:?}");
        assert!(
            r.content_type().starts_with("application/json"),
            "{b:?}: {}",
            r.content_type()
        );

        let got = app
            .get(&o.rep, &format!("/api/v1/customers/{id}"))
            .await
            .assert_status(200);
        assert_eq!(got.body["id"], id, "{b:?}");
        assert_eq!(got.body["phone"], "+8613800138000", "{b:?}");
        assert_eq!(got.body["owner"]["id"], o.rep.id, "{b:?}");
        assert_eq!(
            got.body["version"], c["version"],
            "{b:?}: reading changes nothing"
        );
    }
}

#[tokio::test]
async fn bad_input_is_a_422_problem_naming_each_field() {
    for b in BACKENDS {
        let o = org(b).await;
        let app = &o.app;
        let path = "/api/v1/customers";

        let r = app
            .post(
                &o.rep,
                path,
                json!({ "name": " ", "phone": "abc", "source": "carrier-pigeon" }),
            )
            .await;
        let r = r.assert_fields(&["name", "phone", "source"]);
        assert_eq!(
            r.fields().len(),
            3,
            "{b:?}: one error per bad field: {}",
            r.body
        );

        // Missing fields are named too.
        app.post(&o.rep, path, json!({ "name": "杭州云帆科技" }))
            .await
            .assert_fields(&["phone", "source"]);
        app.post(&o.rep, path, json!({}))
            .await
            .assert_fields(&["name", "phone", "source"]);

        // A field the API does not know is named, not silently dropped.
        let r = app
            .post(&o.rep, path, json!({ "name": "杭州云帆科技", "phone": fresh_phone(), "source": "web", "colour": "red" }))
            .await;
        assert_eq!(r.assert_fields(&["colour"]).fields(), ["colour"], "{b:?}");

        // A value of the wrong type names its field.
        app.post(
            &o.rep,
            path,
            json!({ "name": 5, "phone": fresh_phone(), "source": "web" }),
        )
        .await
        .assert_fields(&["name"]);

        assert!(
            app.list_ids(&o.rep, "scope=mine").await.is_empty(),
            "{b:?}: a refused create left a customer"
        );
    }
}

#[tokio::test]
async fn get_by_id_of_a_missing_customer_is_a_404_problem() {
    for b in BACKENDS {
        let o = org(b).await;
        o.app
            .get(&o.rep, "/api/v1/customers/987654")
            .await
            .assert_problem(404);
    }
}

#[tokio::test]
async fn lists_filter_by_scope_and_search_by_name() {
    for b in BACKENDS {
        let o = org(b).await;
        let app = &o.app;
        let huaxing = id_of(&app.customer(&o.rep, "苏州华星精密", &fresh_phone()).await);
        let yunfan = id_of(&app.customer(&o.rep, "杭州云帆科技", &fresh_phone()).await);
        let colleague = id_of(
            &app.customer(&o.other_rep, "宁波海润贸易", &fresh_phone())
                .await,
        );
        let pooled = app
            .pool_customer(&o.other_rep, "无锡金桥机械", &fresh_phone())
            .await;

        assert_eq!(
            app.list_ids(&o.rep, "scope=mine").await,
            [yunfan, huaxing],
            "{b:?}: mine, newest first"
        );
        assert_eq!(
            app.list_ids(&o.rep, "").await,
            [yunfan, huaxing],
            "{b:?}: mine is the default"
        );
        assert_eq!(
            app.list_ids(&o.other_rep, "scope=mine").await,
            [colleague],
            "{b:?}"
        );
        assert_eq!(
            app.list_ids(&o.rep, "scope=pool").await,
            [pooled],
            "{b:?}: pool"
        );

        // Name search, within the scope.
        assert_eq!(
            app.list_ids(&o.rep, "scope=mine&q=华星").await,
            [huaxing],
            "{b:?}: q=华星"
        );
        assert_eq!(
            app.list_ids(&o.rep, "scope=mine&q=云帆").await,
            [yunfan],
            "{b:?}: q=云帆"
        );
        assert!(
            app.list_ids(&o.rep, "scope=mine&q=海润").await.is_empty(),
            "{b:?}: search stays in scope"
        );
        assert_eq!(
            app.list_ids(&o.rep, "scope=pool&q=金桥").await,
            [pooled],
            "{b:?}: search in the pool"
        );
        assert!(
            app.list_ids(&o.rep, "scope=pool&q=华星").await.is_empty(),
            "{b:?}"
        );

        // The team scope is the manager's view of every owned customer of the team.
        let mut team = app.list_ids(&o.manager, "scope=team").await;
        team.sort_unstable();
        assert_eq!(
            team,
            [huaxing, yunfan, colleague],
            "{b:?}: the manager's team scope"
        );
        assert_eq!(
            app.list_ids(&o.manager, "scope=team&q=海润").await,
            [colleague],
            "{b:?}"
        );
        app.get(&o.rep, "/api/v1/customers?scope=team")
            .await
            .assert_problem(403);

        // Shared: customers a colleague granted access to.
        assert!(
            app.list_ids(&o.other_rep, "scope=shared").await.is_empty(),
            "{b:?}"
        );
        app.store()
            .add_collaborator(
                CustomerId(huaxing),
                UserId(o.other_rep.id),
                CollaboratorAccess::Read,
                UserId(o.rep.id),
                chrono::Utc::now(),
            )
            .await
            .expect("grant");
        let shared = app
            .get(&o.other_rep, "/api/v1/customers?scope=shared")
            .await
            .assert_status(200)
            .items();
        assert_eq!(
            shared.iter().map(id_of).collect::<Vec<_>>(),
            [huaxing],
            "{b:?}: shared"
        );

        // Unknown scopes and parameters are named.
        app.get(&o.rep, "/api/v1/customers?scope=everything")
            .await
            .assert_fields(&["scope"]);
        app.get(&o.rep, "/api/v1/customers?colour=red")
            .await
            .assert_fields(&["colour"]);
    }
}

#[tokio::test]
async fn patch_updates_a_field_and_bumps_the_version() {
    for b in BACKENDS {
        let o = org(b).await;
        let app = &o.app;
        let created = app.customer(&o.rep, "苏州华星精密", &fresh_phone()).await;
        let id = id_of(&created);
        let path = format!("/api/v1/customers/{id}");
        let v0 = created["version"].as_i64().expect("version");

        let r = app
            .patch(&o.rep, &path, json!({ "industry": "制造业", "grade": "A" }))
            .await
            .assert_status(200);
        assert_eq!(r.body["industry"], "制造业", "{b:?}");
        assert_eq!(r.body["grade"], "A", "{b:?}");
        assert_eq!(r.body["name"], "苏州华星精密", "{b:?}: absent fields stay");
        let v1 = r.body["version"].as_i64().expect("version");
        assert!(v1 > v0, "{b:?}: version {v0} → {v1}");

        let got = app.get(&o.rep, &path).await.assert_status(200);
        assert_eq!(
            got.body["industry"], "制造业",
            "{b:?}: the change is stored"
        );
        assert_eq!(got.body["version"], v1, "{b:?}");

        // Bad values and unknown fields are named, and change nothing.
        app.patch(&o.rep, &path, json!({ "phone": "abc" }))
            .await
            .assert_fields(&["phone"]);
        app.patch(&o.rep, &path, json!({ "owner_id": o.other_rep.id }))
            .await
            .assert_fields(&["owner_id"]);
        app.patch(
            &o.rep,
            &path,
            json!({ "industry": "零售", "colour": "red" }),
        )
        .await
        .assert_fields(&["colour"]);
        let got = app.get(&o.rep, &path).await.assert_status(200);
        assert_eq!(
            got.body["industry"], "制造业",
            "{b:?}: a refused patch changed the customer"
        );
        assert_eq!(got.body["owner"]["id"], o.rep.id, "{b:?}");
        assert_eq!(
            got.body["version"], v1,
            "{b:?}: a refused patch bumped the version"
        );
    }
}

#[tokio::test]
async fn keyset_pages_are_disjoint_and_cover_the_list() {
    for b in BACKENDS {
        let o = org(b).await;
        let app = &o.app;
        let mut all = Vec::new();
        for i in 0..5 {
            all.push(id_of(
                &app.customer(&o.rep, &format!("分页客户{i}"), &fresh_phone())
                    .await,
            ));
        }
        all.reverse(); // newest first

        let mut seen = Vec::new();
        let mut query = "scope=mine&limit=2".to_owned();
        let mut pages = 0;
        loop {
            let r = app
                .get(&o.rep, &format!("/api/v1/customers?{query}"))
                .await
                .assert_status(200);
            let ids: Vec<i64> = r.items().iter().map(id_of).collect();
            assert!(ids.len() <= 2, "{b:?}: limit=2 gave {ids:?}");
            for id in &ids {
                assert!(!seen.contains(id), "{b:?}: customer {id} on two pages");
            }
            seen.extend(ids);
            pages += 1;
            assert!(pages <= 5, "{b:?}: paging does not end");
            match r.body["next_before"].as_i64() {
                Some(next) => query = format!("scope=mine&limit=2&before={next}"),
                None => break,
            }
        }
        assert_eq!(seen, all, "{b:?}: pages cover the list, newest first");
        assert_eq!(pages, 3, "{b:?}: 5 customers in pages of 2");
    }
}
