//! Duplicates caught at the door: a mobile belongs to one customer, whoever asks.

use crate::harness::{TestApp, TestUser, id_of};
use chrono::{DateTime, Duration, Utc};
use kehu_domain::Role;
use kehu_testkit::{BACKENDS, Backend};
use serde_json::{Value, json};

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not a time: {v}"))
}

struct Org {
    app: TestApp,
    zhang: TestUser,
    li: TestUser,
}

async fn org(backend: Backend) -> Org {
    let app = TestApp::start(backend).await;
    let east = app.team("华东", None).await;
    let zhang = app.user("zhang", Role::Rep, east).await;
    let li = app.user("li", Role::Rep, east).await;
    Org { app, zhang, li }
}

#[tokio::test]
async fn a_second_customer_with_the_same_mobile_is_refused_naming_the_owner() {
    for b in BACKENDS {
        let o = org(b).await;
        let first = o
            .app
            .customer(&o.zhang, "苏州华星精密", "13800138000")
            .await;
        let body = json!({ "name": "华星精密（苏州）", "phone": "+86 138-0013-8000", "source": "trade_show" });
        let r = o
            .app
            .post(&o.li, "/api/v1/customers", body)
            .await
            .assert_problem(409);
        assert_eq!(
            r.body["errors"][0]["field"], "phone",
            "{b:?}: the field is named"
        );
        let existing = &r.body["existing"];
        assert_eq!(existing["name"], "苏州华星精密", "{b:?}");
        assert_eq!(
            existing["owner_name"],
            o.zhang.name.as_str(),
            "{b:?}: the owner is named"
        );
        assert_eq!(
            existing["masked_phone"], "138****8000",
            "{b:?}: the phone stays masked"
        );
        assert_eq!(
            time(&existing["protected_until"]),
            time(&first["owner_since"]) + Duration::days(15),
            "{b:?}: how long the owner keeps it"
        );
        assert_eq!(
            existing["id"],
            serde_json::Value::Null,
            "{b:?}: li may not open zhang's customer"
        );
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("苏州华星精密"),
            "{b:?}: {}",
            r.body
        );
        assert_eq!(
            o.app.list_ids(&o.li, "scope=mine").await,
            Vec::<i64>::new(),
            "{b:?}: nothing was created"
        );

        // The owner sees the link to their own record.
        let again = json!({ "name": "华星", "phone": "13800138000", "source": "web" });
        let r = o
            .app
            .post(&o.zhang, "/api/v1/customers", again)
            .await
            .assert_problem(409);
        assert_eq!(r.body["existing"]["id"], id_of(&first), "{b:?}");
    }
}

#[tokio::test]
async fn the_live_check_warns_before_saving() {
    for b in BACKENDS {
        let o = org(b).await;
        let created = o
            .app
            .customer(&o.zhang, "杭州云帆科技", "13900001111")
            .await;
        let r = o
            .app
            .post(
                &o.li,
                "/api/v1/customers/check",
                json!({ "phone": "139 0000 1111" }),
            )
            .await
            .assert_status(200);
        assert_eq!(r.body["blocked"], true, "{b:?}");
        let m = &r.body["matches"][0];
        assert_eq!(
            (m["reason"].as_str(), m["name"].as_str()),
            (Some("same_mobile"), Some("杭州云帆科技")),
            "{b:?}"
        );
        // How long zhang keeps it: 15 days from taking it, 7 more per effective follow-up.
        let since = time(&created["owner_since"]);
        assert_eq!(
            time(&m["protected_until"]),
            since + Duration::days(15),
            "{b:?}"
        );
        let path = format!("/api/v1/customers/{}/follow-ups", id_of(&created));
        let call = json!({ "kind": "call", "content": "聊了报价", "duration_secs": 300 });
        let logged = o.app.post(&o.zhang, &path, call).await.assert_status(201);
        assert_eq!(logged.body["effective"], true, "{b:?}");
        let r = o
            .app
            .post(
                &o.li,
                "/api/v1/customers/check",
                json!({ "phone": "13900001111" }),
            )
            .await
            .assert_status(200);
        assert_eq!(
            time(&r.body["matches"][0]["protected_until"]),
            since + Duration::days(22),
            "{b:?}"
        );
        let free = o
            .app
            .post(
                &o.li,
                "/api/v1/customers/check",
                json!({ "phone": "13900002222" }),
            )
            .await
            .assert_status(200);
        assert_eq!(free.body["matches"], json!([]), "{b:?}");
        o.app
            .post(&o.li, "/api/v1/customers/check", json!({ "phone": "12" }))
            .await
            .assert_problem(422)
            .assert_fields(&["phone"]);
    }
}

#[tokio::test]
async fn two_reps_saving_one_mobile_at_once_get_one_success_and_one_answer() {
    for b in BACKENDS {
        let o = org(b).await;
        let body = |name: &str| json!({ "name": name, "phone": "13700001234", "source": "web" });
        let (x, y) = futures::join!(
            o.app.post(&o.zhang, "/api/v1/customers", body("无锡新材")),
            o.app.post(&o.li, "/api/v1/customers", body("无锡新材料")),
        );
        let mut codes = [x.status, y.status];
        codes.sort_unstable();
        assert_eq!(codes, [201, 409], "{b:?}: {} / {}", x.body, y.body);
        let loser = if x.status == 409 { &x } else { &y };
        assert_eq!(loser.body["errors"][0]["field"], "phone", "{b:?}");
        assert!(
            loser.body["existing"]["owner_name"].is_string(),
            "{b:?}: the winner is named"
        );
    }
}

#[tokio::test]
async fn editing_a_phone_onto_another_customers_mobile_is_refused() {
    for b in BACKENDS {
        let o = org(b).await;
        o.app.customer(&o.zhang, "南京恒达", "13600001111").await;
        // Another firm's name: 南京恒达贸易 would now be a fuzzy hit on the only 恒达 of 南京.
        let mine = o.app.customer(&o.li, "南京远航贸易", "13600002222").await;
        let path = format!("/api/v1/customers/{}", id_of(&mine));
        let r = o
            .app
            .patch(&o.li, &path, json!({ "phone": "13600001111" }))
            .await
            .assert_problem(409);
        assert_eq!(r.body["errors"][0]["code"], "duplicate", "{b:?}");
        let r = o.app.get(&o.li, &path).await.assert_status(200);
        assert_eq!(r.body["phone"], "+8613600002222", "{b:?}: unchanged");
    }
}

/// A valid credit code registered in `division` (a 6-digit code).
fn credit_code(division: &str, org: &str) -> String {
    let body = format!("91{division}{org}");
    let check = kehu_domain::identity::CreditCode::check_char(&body).expect("valid body");
    format!("{body}{check}")
}

#[tokio::test]
async fn a_credit_code_is_checked_fills_the_region_and_belongs_to_one_customer() {
    for b in BACKENDS {
        let o = org(b).await;
        let code = credit_code("320505", "MA1XYW123");
        let body = json!({ "name": "华星精密", "phone": "13800001111", "source": "web", "credit_code": code.to_lowercase() });
        let created = o
            .app
            .post(&o.zhang, "/api/v1/customers", body)
            .await
            .assert_status(201)
            .body;
        assert_eq!(
            created["credit_code"],
            code.as_str(),
            "{b:?}: stored upper-case"
        );
        assert_eq!(
            (created["province"].as_str(), created["city"].as_str()),
            (Some("江苏"), Some("苏州")),
            "{b:?}: from the division digits"
        );

        let mut typo = code.clone();
        typo.replace_range(17..18, if code.ends_with('0') { "1" } else { "0" });
        let bad =
            json!({ "name": "华星", "phone": "13800002222", "source": "web", "credit_code": typo });
        let r = o
            .app
            .post(&o.li, "/api/v1/customers", bad)
            .await
            .assert_problem(422)
            .assert_fields(&["credit_code"]);
        // The message says which character is off and what the other 17 require.
        let detail = r.body["errors"][0]["detail"].as_str().unwrap_or_default();
        let (found, expected) = (&typo[17..], &code[17..]);
        assert!(
            detail.contains(&format!("“{found}”")) && detail.contains(&format!("“{expected}”")),
            "{b:?}: {detail}"
        );
        let mut misread = code.clone();
        misread.replace_range(9..10, "O");
        let bad = json!({ "name": "华星", "phone": "13800002222", "source": "web", "credit_code": misread });
        let r = o
            .app
            .post(&o.li, "/api/v1/customers", bad)
            .await
            .assert_problem(422);
        let detail = r.body["errors"][0]["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("“O” at character 10") && detail.contains("did you mean “0”"),
            "{b:?}: {detail}"
        );

        let dup = json!({ "name": "华星精密机械", "phone": "13800003333", "source": "web", "credit_code": code });
        let r = o
            .app
            .post(&o.li, "/api/v1/customers", dup)
            .await
            .assert_problem(409);
        assert_eq!(
            r.body["errors"][0]["field"], "credit_code",
            "{b:?}: {}",
            r.body
        );
        assert_eq!(r.body["existing"]["reason"], "same_credit_code", "{b:?}");
    }
}
