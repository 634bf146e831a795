//! What the lead tests share: an admin-made source with an intake token, sending a lead with
//! it, and reading a lead back as the admin sees it.

use crate::harness::{Org, Resp, TestApp, TestUser, id_of};
use reqwest::Method;
use serde_json::{Value, json};

/// An admin-made source (官网表单) and one of its intake tokens (`rate` per minute).
pub(crate) async fn source(o: &Org, rate: i64) -> (i64, String) {
    let s = o
        .app
        .post(
            &o.admin,
            "/api/v1/lead-sources",
            json!({ "code": "web_form", "name": "官网表单" }),
        )
        .await
        .assert_status(201);
    let id = id_of(&s.body);
    let t = o
        .app
        .post(
            &o.admin,
            &format!("/api/v1/lead-sources/{id}/tokens"),
            json!({ "name": "官网后台", "rate_per_minute": rate }),
        )
        .await
        .assert_status(201);
    let secret = t.body["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("kls_"), "{secret}");
    (id, secret)
}

/// `POST /api/v1/leads` with `Authorization: Bearer <token>` and an optional key.
pub(crate) async fn send(app: &TestApp, token: &str, key: Option<&str>, body: &Value) -> Resp {
    let mut req = app
        .client
        .request(Method::POST, format!("{}/api/v1/leads", app.bases[0]))
        .header("authorization", format!("Bearer {token}"))
        .json(body);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let request = format!("[{:?}] POST /api/v1/leads {body}", app.backend);
    let resp = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{request}: {e}"));
    let (status, headers) = (resp.status(), resp.headers().clone());
    let bytes = resp.bytes().await.expect("body");
    Resp {
        request,
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// Sends `body` with idempotency key `key` (201 expected) and answers the lead as the admin
/// reads it.
pub(crate) async fn send_and_read(o: &Org, token: &str, key: &str, body: &Value) -> Value {
    let r = send(&o.app, token, Some(key), body)
        .await
        .assert_status(201);
    read_lead(o, id_of(&r.body)).await
}

/// Lead `id` as the admin reads it.
pub(crate) async fn read_lead(o: &Org, id: i64) -> Value {
    o.app
        .get(&o.admin, &format!("/api/v1/leads/{id}"))
        .await
        .assert_status(200)
        .body
}

/// Records leave for `user` from `from` to `until` days around the real present the server
/// runs in (the admin enters it); answers that present.
pub(crate) async fn on_leave(
    o: &Org,
    user: &TestUser,
    from: i64,
    until: i64,
) -> chrono::DateTime<chrono::Utc> {
    use chrono::{Duration, SecondsFormat, Utc};
    #[expect(
        clippy::disallowed_methods,
        reason = "leave is recorded relative to the real present the server runs in"
    )]
    let now = Utc::now();
    let at = |d: i64| (now + Duration::days(d)).to_rfc3339_opts(SecondsFormat::Secs, true);
    o.app
        .post(
            &o.admin,
            &format!("/api/v1/users/{}/leaves", user.id),
            json!({ "from": at(from), "until": at(until), "note": "年假" }),
        )
        .await
        .assert_status(201);
    now
}
