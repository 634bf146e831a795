//! Lead intake over HTTP, on both engines: idempotency (also under concurrency), field
//! errors, intake tokens, the per-token rate limit, match first (the owner gets the lead and
//! a notification), the double web-form submit going to one rep, who may read a lead, and
//! the lead page's explanation.

use crate::harness::{Org, TestApp, TestUser, fresh_phone, id_of, ui_fmt};
use crate::leads_kit::{send, source};
use crate::pages::signed_in;
use futures::future::join_all;
use kehu_testkit::BACKENDS;
use reqwest::Method;
use serde_json::{Value, json};

fn form(phone: &str) -> Value {
    json!({ "company": "苏州华星精密", "contact_name": "王经理", "phone": phone,
            "message": "想了解报价", "extra": { "utm_source": "baidu" } })
}

/// The ids of the leads `user` may read.
async fn lead_ids(app: &TestApp, user: &TestUser) -> Vec<i64> {
    let r = app.get(user, "/api/v1/leads").await.assert_status(200);
    r.items().iter().map(id_of).collect()
}

#[tokio::test]
async fn the_same_key_answers_the_same_lead_once_and_another_body_is_refused() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let body = form(&fresh_phone());
        let first = send(&o.app, &token, Some("form-1"), &body)
            .await
            .assert_status(201);
        let again = send(&o.app, &token, Some("form-1"), &body)
            .await
            .assert_status(201);
        assert_eq!(first.body, again.body, "{b:?}: a replay answers the same");
        assert_eq!(again.headers["idempotent-replayed"], "true", "{b:?}");
        assert_eq!(
            lead_ids(&o.app, &o.admin).await,
            [id_of(&first.body)],
            "{b:?}"
        );
        let other = send(&o.app, &token, Some("form-1"), &form(&fresh_phone())).await;
        other.assert_fields(&["Idempotency-Key"]);
        send(&o.app, &token, None, &body)
            .await
            .assert_fields(&["Idempotency-Key"]);
        assert_eq!(
            lead_ids(&o.app, &o.admin).await.len(),
            1,
            "{b:?}: nothing else written"
        );
    }
}

#[tokio::test]
async fn concurrent_requests_with_one_key_make_one_lead() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 1000).await;
        let body = form(&fresh_phone());
        let answers = join_all((0..8).map(|_| send(&o.app, &token, Some("burst"), &body))).await;
        let ids: Vec<i64> = answers
            .into_iter()
            .map(|r| id_of(&r.assert_status(201).body))
            .collect();
        assert!(ids.iter().all(|i| *i == ids[0]), "{b:?}: {ids:?}");
        assert_eq!(lead_ids(&o.app, &o.admin).await, [ids[0]], "{b:?}");
    }
}

#[tokio::test]
async fn bad_fields_are_named_and_nothing_is_written() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let bad = json!({ "company": "华星", "phone": "12", "email": "x@", "extra": [1] });
        send(&o.app, &token, Some("k1"), &bad)
            .await
            .assert_fields(&["phone", "email", "extra"]);
        send(&o.app, &token, Some("k2"), &json!({ "message": "报价" }))
            .await
            .assert_fields(&["company", "contact_name", "phone"]);
        send(
            &o.app,
            &token,
            Some("k3"),
            &json!({ "company": "华星", "fax": "1" }),
        )
        .await
        .assert_fields(&["fax"]);
        let big = json!({ "company": "华星", "extra": { "x": "y".repeat(5000) } });
        send(&o.app, &token, Some("k4"), &big)
            .await
            .assert_fields(&["extra"]);
        assert!(lead_ids(&o.app, &o.admin).await.is_empty(), "{b:?}");
    }
}

#[tokio::test]
async fn unknown_and_revoked_tokens_are_refused() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (source_id, token) = source(&o, 100).await;
        let body = form(&fresh_phone());
        send(&o.app, "kls_0000", Some("a"), &body)
            .await
            .assert_problem(401);
        send(&o.app, "nonsense", Some("a"), &body)
            .await
            .assert_problem(401);
        let tokens = o
            .app
            .get(&o.admin, "/api/v1/lead-sources")
            .await
            .assert_status(200);
        let token_id = tokens.items()[0]["tokens"][0]["id"]
            .as_i64()
            .expect("token id");
        let path = format!("/api/v1/lead-sources/{source_id}/tokens/{token_id}");
        o.app
            .send(&o.rep_a, Method::DELETE, &path, None)
            .await
            .assert_problem(403);
        o.app
            .send(&o.admin, Method::DELETE, &path, None)
            .await
            .assert_status(204);
        send(&o.app, &token, Some("a"), &body)
            .await
            .assert_problem(401);
    }
}

#[tokio::test]
async fn a_token_over_its_rate_gets_429_with_retry_after() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 3).await;
        for i in 0..3 {
            send(
                &o.app,
                &token,
                Some(&format!("r{i}")),
                &form(&fresh_phone()),
            )
            .await
            .assert_status(201);
        }
        let r = send(&o.app, &token, Some("r3"), &form(&fresh_phone())).await;
        let r = r.assert_problem(429);
        let wait: i64 = r.headers["retry-after"]
            .to_str()
            .ok()
            .and_then(|s| s.parse().ok())
            .expect("Retry-After seconds");
        assert!((1..=21).contains(&wait), "{b:?}: {wait}");
    }
}

#[tokio::test]
async fn a_lead_of_an_owned_customer_goes_to_its_owner_who_is_told() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let phone = fresh_phone();
        let customer = id_of(&o.app.customer(&o.rep_a, "苏州华星精密", &phone).await);
        let spaced = format!("+86 {}-{}-{}", &phone[..3], &phone[3..7], &phone[7..]);
        let body = json!({ "contact_name": "王经理", "phone": spaced });
        let r = send(&o.app, &token, Some("owned"), &body)
            .await
            .assert_status(201);
        assert_eq!(r.body["outcome"], "assigned_owner", "{b:?}");
        let lead = o
            .app
            .get(&o.rep_a, &format!("/api/v1/leads/{}", id_of(&r.body)))
            .await
            .assert_status(200)
            .body;
        assert_eq!(lead["assigned_to"]["id"], o.rep_a.id, "{b:?}");
        assert_eq!(lead["customer"]["id"], customer, "{b:?}");
        assert_eq!(
            lead["explanation_text"],
            format!(
                "Matched 苏州华星精密 by same mobile; owner {}",
                o.rep_a.name
            ),
            "{b:?}"
        );
        assert_eq!(lead["explanation"]["matched"]["exact"], true, "{b:?}");
        let inbox = o
            .app
            .get(&o.rep_a, "/api/v1/notifications")
            .await
            .assert_status(200);
        let note = &inbox.items()[0];
        assert_eq!(note["kind"], "lead_inquiry", "{b:?}");
        assert_eq!(
            note["message"], "Your customer 苏州华星精密 sent a new inquiry via 官网表单",
            "{b:?}"
        );
        assert!(
            lead_ids(&o.app, &o.rep_b).await.is_empty(),
            "{b:?}: never a second rep"
        );
    }
}

/// Failure story (a): a customer fills in the web form twice (two keys) and must not be
/// called by two reps.
#[tokio::test]
async fn the_same_web_form_twice_goes_to_one_rep() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        // Nobody's customer yet: the second inquiry joins the first, which awaits routing.
        let body = json!({ "contact_name": "李女士", "phone": fresh_phone() });
        let first = send(&o.app, &token, Some("a1"), &body)
            .await
            .assert_status(201);
        let second = send(&o.app, &token, Some("a2"), &body)
            .await
            .assert_status(201);
        assert_eq!(first.body["outcome"], "unrouted", "{b:?}");
        assert_eq!(second.body["outcome"], "duplicate", "{b:?}");
        assert_eq!(second.body["duplicate_of"], first.body["id"], "{b:?}");
        // An owned customer: both go to the owner, the second as the first's duplicate.
        let phone = fresh_phone();
        o.app.customer(&o.rep_b, "无锡精工", &phone).await;
        let body = json!({ "company": "无锡精工", "phone": phone });
        let one = send(&o.app, &token, Some("b1"), &body)
            .await
            .assert_status(201);
        let two = send(&o.app, &token, Some("b2"), &body)
            .await
            .assert_status(201);
        assert_eq!(two.body["duplicate_of"], one.body["id"], "{b:?}");
        let mine = lead_ids(&o.app, &o.rep_b).await;
        assert_eq!(mine, [id_of(&two.body), id_of(&one.body)], "{b:?}");
        // At the same moment, from a form that double-submits: still one open lead.
        let body = json!({ "contact_name": "赵先生", "email": "zhao@example.cn" });
        let both = join_all((0..4).map(|i| {
            let key = format!("c{i}");
            let body = body.clone();
            let app = &o.app;
            let token = token.clone();
            async move { send(app, &token, Some(&key), &body).await }
        }))
        .await;
        let outcomes: Vec<String> = both
            .into_iter()
            .map(|r| {
                r.assert_status(201).body["outcome"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        let open = outcomes.iter().filter(|o| *o == "unrouted").count();
        assert_eq!(open, 1, "{b:?}: {outcomes:?}");
    }
}

#[tokio::test]
async fn a_rep_reads_only_their_leads_and_a_rep_enters_one_by_hand() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (source_id, token) = source(&o, 100).await;
        let phone = fresh_phone();
        o.app.customer(&o.rep_a, "常州恒力", &phone).await;
        let r = send(&o.app, &token, Some("x"), &json!({ "phone": phone })).await;
        let id = id_of(&r.assert_status(201).body);
        let path = format!("/api/v1/leads/{id}");
        o.app.get(&o.rep_b, &path).await.assert_problem(404);
        o.app.get(&o.other_manager, &path).await.assert_problem(404);
        o.app.get(&o.manager, &path).await.assert_status(200);
        assert_eq!(lead_ids(&o.app, &o.rep_b).await, Vec::<i64>::new(), "{b:?}");
        // By hand: the same path, the source chosen from the list.
        let manual = json!({ "source": source_id, "company": "南京新材", "phone": fresh_phone() });
        let r = send(&o.app, &o.rep_b.token, Some("m1"), &manual)
            .await
            .assert_status(201);
        assert_eq!(r.body["outcome"], "unrouted", "{b:?}");
        let no_source = json!({ "company": "南京新材" });
        send(&o.app, &o.rep_b.token, Some("m2"), &no_source)
            .await
            .assert_fields(&["source"]);
        let with_source = json!({ "source": source_id, "company": "南京新材" });
        send(&o.app, &token, Some("m3"), &with_source)
            .await
            .assert_fields(&["source"]);
    }
}

#[tokio::test]
async fn the_lead_page_shows_why_it_came_to_me() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (_, token) = source(&o, 100).await;
        let phone = fresh_phone();
        o.app.customer(&o.rep_a, "苏州华星精密", &phone).await;
        let r = send(
            &o.app,
            &token,
            Some("p"),
            &json!({ "phone": phone, "message": "要样品" }),
        )
        .await;
        let id = id_of(&r.assert_status(201).body);
        let web = signed_in(&o.app, "rep_a").await;
        let page = web.get(&format!("/leads/{id}")).await.status(200);
        let reasons = crate::harness::zh("fuzzy.reason.same_mobile");
        let want = ui_fmt(
            "zh-CN",
            "leads.explain_owner",
            &[
                ("customer", "苏州华星精密"),
                ("reasons", &reasons),
                ("owner", &o.rep_a.name),
            ],
        );
        assert_eq!(page.text("#lead-explanation"), want, "{b:?}");
        assert_eq!(page.text("#lead-customer"), "苏州华星精密", "{b:?}");
        assert_eq!(page.text("#lead-message"), "要样品", "{b:?}");
        let list = web.get("/leads").await.status(200);
        let row = format!("#leads tr[data-id=\"{id}\"]");
        assert_eq!(list.count(&row), 1, "{b:?}: my lead is listed");
        let other = signed_in(&o.app, "rep_b").await;
        // Another rep's lead does not exist for them.
        other.get(&format!("/leads/{id}")).await.status(404);
    }
}

#[tokio::test]
async fn an_admin_creates_a_source_and_sees_a_token_secret_once() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let web = signed_in(&o.app, "admin").await;
        const PAGE: &str = "/admin/lead-sources";
        let csrf = web.get(PAGE).await.status(200).csrf();
        let bad = web
            .post(
                PAGE,
                &[
                    ("csrf", csrf.as_str()),
                    ("name", "抖音"),
                    ("code", "Dou Yin"),
                ],
            )
            .await;
        assert_eq!(
            bad.count("#source-errors li"),
            1,
            "{b:?}: the code is refused"
        );
        web.post(
            PAGE,
            &[
                ("csrf", csrf.as_str()),
                ("name", "抖音"),
                ("code", "douyin"),
            ],
        )
        .await
        .status(303);
        let sources = o
            .app
            .get(&o.admin, "/api/v1/lead-sources")
            .await
            .assert_status(200);
        let id = id_of(&sources.items()[0]);
        let made = web
            .post(
                &format!("{PAGE}/{id}/tokens"),
                &[
                    ("csrf", csrf.as_str()),
                    ("name", "投放后台"),
                    ("rate_per_minute", "30"),
                ],
            )
            .await;
        let shown = made.texts("#token-secret").concat();
        assert!(shown.starts_with("kls_"), "{b:?}: {shown}");
        send(&o.app, &shown, Some("d1"), &form(&fresh_phone()))
            .await
            .assert_status(201);
        let again = web.get(PAGE).await.status(200);
        assert_eq!(again.count("#token-secret"), 0, "{b:?}: shown once");
        let rep = signed_in(&o.app, "rep_a").await;
        rep.get(PAGE).await.status(403);
    }
}
