//! Real headless Chromium against a real server (SQLite): what a rep does by hand.
//!
//! One browser per test function. `KEHU_SCREENSHOT=1` also saves the customer page after a
//! claim to `docs/screenshot-customer.png` (the README's picture); normal runs write nothing.

use crate::harness::{PASSWORD, TestApp, id_of, ui_fmt, ui_text, zh};
use fantoccini::Locator;
use kehu_domain::Role;
use kehu_testkit::Backend;
use kehu_testkit::browser::Browser;
use scraper::{Html, Selector};
use serde_json::json;
use std::path::Path;

/// The current page's HTML as the browser has it.
async fn source(b: &Browser) -> String {
    b.client.source().await.expect("page source")
}

/// The text of every element matching `css` in `html`, whitespace collapsed.
fn texts(html: &str, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css:?}: {e:?}"));
    Html::parse_document(html)
        .select(&sel)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The current value of the form field named `name`.
async fn value_of(b: &Browser, name: &str) -> String {
    b.client
        .find(Locator::Css(&format!("[name=\"{name}\"]")))
        .await
        .unwrap_or_else(|e| panic!("no field {name}: {e}"))
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("value of {name}: {e}"))
        .unwrap_or_default()
}

/// The path and query of the current URL.
async fn path(b: &Browser) -> String {
    let url = reqwest::Url::parse(&b.url().await).expect("current URL parses");
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Logs in through the login form; lands on "my customers".
async fn log_in(b: &Browser, base: &str, login: &str, name: &str) {
    b.goto(&format!("{base}/login")).await;
    b.fill("login", login).await;
    b.fill("password", PASSWORD).await;
    b.click("#login-submit").await;
    assert_eq!(path(b).await, "/customers", "{login} lands on their list");
    assert!(
        b.text("#who").await.starts_with(name),
        "{login}: header names {name}"
    );
}

#[tokio::test]
async fn a_rep_creates_a_customer_another_rep_cannot_see_it_and_claims_from_the_pool() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.bases[0].clone();
    let root = app.team("销售部", None).await;
    let east = app.team("华东组", Some(root)).await;
    let a = app.user_named("lina", "李娜", Role::Rep, east).await;
    let b_user = app.user_named("wangfang", "王芳", Role::Rep, east).await;
    let c = app.user_named("zhangwei", "张伟", Role::Rep, east).await;

    // A pool customer with a full profile, created and released by C over the API.
    let pool = id_of(
        &app.post(
            &c,
            "/api/v1/customers",
            json!({
                "name": "无锡远景机电有限公司",
                "phone": "139 1234 5678",
                "source": "trade_show",
                "intent": "high",
                "grade": "A",
                "industry": "机械制造",
                "province": "江苏",
                "city": "无锡",
                "next_follow_up_at": "2026-12-01T10:00",
                "contacts": [
                    { "name": "周建国", "phone": "13812345601", "title": "采购经理" },
                    { "name": "吴敏", "phone": "0510-8523 6789", "title": "总经理助理" }
                ]
            }),
        )
        .await
        .assert_status(201)
        .body,
    );
    app.patch(
        &c,
        &format!("/api/v1/customers/{pool}"),
        json!({ "industry": "工业自动化" }),
    )
    .await
    .assert_status(200);
    app.post(
        &c,
        &format!("/api/v1/customers/{pool}/release"),
        json!({ "reason": "客户今年预算已用完，明年再跟" }),
    )
    .await
    .assert_status(200);

    let b = Browser::start().await;

    // (a) A creates a customer with the minimal form.
    log_in(&b, &base, "lina", &a.name).await;
    b.click("#nav-new").await;
    assert_eq!(path(&b).await, "/customers/new");
    let name = "苏州华星精密制造有限公司";
    b.fill("name", name).await;
    b.fill("phone", "138 0013 8000").await;
    b.fill("source", "web").await;
    b.fill("next_follow_up_at", "2026-11-30T09:30").await;
    b.click("#save").await;
    let here = path(&b).await;
    let id: i64 = here
        .strip_prefix("/customers/")
        .and_then(|r| r.strip_suffix("?flash=created"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("after saving, the customer's page, not {here}"));
    assert_eq!(b.text("#flash").await, zh("customer.created"));
    assert_eq!(b.text("#customer-name").await, name);
    assert_eq!(b.text("#owner").await, a.name);
    assert_eq!(b.text("#phone").await, "13800138000");
    let html = source(&b).await;
    let props = texts(&html, "#profile dd");
    for want in [zh("source.web"), "2026-11-30 09:30".to_owned()] {
        assert!(props.contains(&want), "{want:?} in the profile: {props:?}");
    }
    assert_eq!(
        texts(&html, "#timeline li.event .event-text"),
        vec![ui_fmt(
            "zh-CN",
            "ledger.create",
            &[("by", &a.name), ("to", &a.name)]
        )],
        "the ledger names A as creator and owner"
    );

    b.click("#nav-mine").await;
    assert_eq!(b.text("h1").await, zh("nav.mine"));
    let row = format!("#customers tr[data-id=\"{id}\"]");
    assert_eq!(b.text(&format!("{row} a.customer-link")).await, name);
    assert_eq!(b.text(&format!("{row} td.phone")).await, "13800138000");

    // (b) B sees that customer neither in a list nor by URL.
    b.clear_cookies().await;
    log_in(&b, &base, "wangfang", &b_user.name).await;
    for scope in ["mine", "pool", "shared"] {
        b.goto(&format!("{base}/customers?scope={scope}")).await;
        assert!(!b.exists(&row).await, "B's {scope} list shows A's customer");
    }
    b.goto(&format!("{base}/customers?scope=mine")).await;
    assert!(b.exists("#empty").await, "B owns nothing yet");
    b.goto(&format!("{base}/customers/{id}")).await;
    assert_eq!(b.text("#error-title").await, zh("customer.not_found_title"));
    assert!(!b.exists("#customer-name").await);
    let html = source(&b).await;
    for secret in [name, "13800138000", "138****8000", "+8613800138000"] {
        assert!(
            !html.contains(secret),
            "the not-found page reveals {secret:?}"
        );
    }

    // (c) B opens the pool customer: masked until claimed.
    b.click("#nav-pool").await;
    let pool_row = format!("#customers tr[data-id=\"{pool}\"]");
    assert_eq!(b.text(&format!("{pool_row} td.phone")).await, "139****5678");
    b.click(&format!("{pool_row} a.customer-link")).await;
    assert_eq!(path(&b).await, format!("/customers/{pool}"));
    assert_eq!(b.text("#phone").await, "139****5678");
    assert_eq!(b.text("#owner").await, zh("customer.in_pool"));
    let html = source(&b).await;
    for secret in ["13912345678", "13812345601", "85236789"] {
        assert!(!html.contains(secret), "the pool page reveals {secret:?}");
    }
    assert_eq!(b.text("#claim").await, zh("customer.claim"));
    b.click("#claim").await;
    assert_eq!(path(&b).await, format!("/customers/{pool}?flash=claimed"));
    assert_eq!(b.text("#flash").await, zh("customer.claimed"));
    assert_eq!(b.text("#phone").await, "13912345678");
    assert_eq!(b.text("#owner").await, b_user.name);
    assert!(!b.exists("#claim").await, "claimed: no claim button");
    let html = source(&b).await;
    assert_eq!(
        texts(&html, "#contacts td.phone"),
        vec!["13812345601", "0510-85236789"],
        "contacts unmasked"
    );
    assert_eq!(
        texts(&html, "#timeline li.event .event-text"),
        vec![
            ui_fmt("zh-CN", "ledger.claim", &[("to", &b_user.name)]),
            ui_fmt(
                "zh-CN",
                "ledger.release",
                &[("by", &c.name), ("from", &c.name)]
            ),
            ui_fmt(
                "zh-CN",
                "ledger.create",
                &[("by", &c.name), ("to", &c.name)]
            ),
        ],
        "newest first: claim, release, create"
    );

    if std::env::var("KEHU_SCREENSHOT").as_deref() == Ok("1") {
        // Without the one-off flash, as a user coming back to the page sees it.
        b.goto(&format!("{base}/customers/{pool}")).await;
        let shot = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/screenshot-customer.png"
        ));
        b.screenshot(shot).await;
    }

    b.click("#nav-mine").await;
    assert_eq!(b.text(&format!("{pool_row} td.phone")).await, "13912345678");
    b.close().await;
}

#[tokio::test]
async fn a_bad_form_keeps_the_input_and_english_changes_the_navigation() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.bases[0].clone();
    let team = app.team("华东组", None).await;
    let rep = app.user_named("lina", "李娜", Role::Rep, team).await;
    let b = Browser::start().await;
    log_in(&b, &base, "lina", &rep.name).await;

    // (d) An invalid phone: the form comes back with the error next to the phone.
    b.click("#nav-new").await;
    let name = "杭州云帆科技有限公司";
    b.fill("name", name).await;
    b.fill("phone", "12345").await;
    b.fill("source", "web").await;
    b.click("#save").await;
    assert_eq!(b.text("h1").await, zh("customer.create_title"));
    assert_eq!(
        b.text(".field.invalid #phone ~ #error-phone").await,
        zh("error.phone_invalid")
    );
    assert!(!b.exists("#error-name").await, "the name was fine");
    assert_eq!(value_of(&b, "name").await, name, "the typed name is kept");
    assert_eq!(value_of(&b, "phone").await, "12345");
    assert_eq!(value_of(&b, "source").await, "web");
    assert!(app.list_ids(&rep, "scope=mine").await.is_empty());

    // Corrected, it saves.
    b.fill("phone", "0571-8888 6666").await;
    b.click("#save").await;
    assert!(
        path(&b).await.ends_with("?flash=created"),
        "saved after the fix: {}",
        b.url().await
    );
    assert_eq!(b.text("#phone").await, "0571-88886666");

    // (e) English, one click away, for every page after it.
    b.click("#nav-mine").await;
    assert_eq!(b.text("#nav-mine").await, zh("nav.mine"));
    b.click("#lang").await;
    assert_eq!(
        path(&b).await,
        "/customers?scope=mine",
        "back where we were"
    );
    let en = |key| ui_text("en", key);
    assert_eq!(b.text("#nav-mine").await, en("nav.mine"));
    assert_eq!(b.text("#nav-pool").await, en("nav.pool"));
    assert_eq!(b.text("#nav-new").await, en("nav.new_customer"));
    assert_eq!(b.text("h1").await, en("nav.mine"));
    b.click("#nav-new").await;
    assert_eq!(b.text("#save").await, en("customer.create"));
    let lang = b
        .client
        .find(Locator::Css("html"))
        .await
        .expect("html element")
        .attr("lang")
        .await
        .expect("lang attribute");
    assert_eq!(lang.as_deref(), Some("en"));
    // And back.
    b.click("#lang").await;
    assert_eq!(b.text("#nav-mine").await, zh("nav.mine"));
    b.close().await;
}

/// Issue 3, point 1: while a rep types a phone that another rep's customer has, the form
/// warns, naming the customer and its owner, with the phone masked; saving is then refused
/// at the phone field.
#[tokio::test]
async fn the_new_customer_form_warns_about_a_duplicate_while_typing() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.bases[0].clone();
    let team = app.team("华东组", None).await;
    let zhang = app.user_named("zhangwei", "张伟", Role::Rep, team).await;
    let wang = app.user_named("wangfang", "王芳", Role::Rep, team).await;
    let existing = id_of(&app.customer(&zhang, "苏州华星精密", "13800138000").await);

    let b = Browser::start().await;
    log_in(&b, &base, "wangfang", &wang.name).await;
    b.click("#nav-new").await;
    b.fill("name", "华星精密（苏州）").await;
    b.fill("phone", "+86 138-0013-8000").await;
    let warning = b.text("#duplicate-warning").await;
    for part in [
        "苏州华星精密",
        "张伟",
        "138****8000",
        zh("identity.same_mobile").as_str(),
    ] {
        assert!(
            warning.contains(part),
            "the warning shows {part}: {warning}"
        );
    }
    assert!(
        !warning.contains("13800138000"),
        "the phone stays masked: {warning}"
    );
    assert!(
        !b.exists("#duplicate-warning a").await,
        "王芳 may not open 张伟's customer"
    );

    // She asks 张伟 to add her as collaborator; what she typed stays on the form.
    b.click("button.request[value^=\"collaboration|\"]").await;
    assert_eq!(
        b.text("#flash").await,
        zh("identity.requested_collaboration")
    );
    assert_eq!(
        value_of(&b, "name").await,
        "华星精密（苏州）",
        "the typed name is kept"
    );

    b.fill("source", "web").await;
    b.click("#save").await;
    let error = b.text("#error-phone").await;
    assert!(
        error.contains("苏州华星精密") && error.contains("张伟"),
        "refused at the phone: {error}"
    );
    assert!(
        app.list_ids(&wang, "scope=mine").await.is_empty(),
        "nothing was created"
    );

    // 张伟 sees the request on his customer's page.
    let open = app
        .store()
        .open_requests(kehu_domain::ids::CustomerId(existing))
        .await
        .expect("requests");
    assert_eq!(open.len(), 1, "one open request: {open:?}");
    b.clear_cookies().await;
    log_in(&b, &base, "zhangwei", &zhang.name).await;
    b.goto(&format!("{base}/customers/{existing}")).await;
    let request = b.text("#requests li.request").await;
    assert!(
        request.contains("王芳") && request.contains(&zh("identity.kind_collaboration")),
        "{request}"
    );
    b.close().await;
}

#[tokio::test]
async fn a_manager_merges_duplicates_from_the_review_page_field_by_field() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.bases[0].clone();
    let root = app.team("销售部", None).await;
    let east = app.team("华东组", Some(root)).await;
    let lina = app.user_named("lina", "李娜", Role::Rep, east).await;
    let zhang = app.user_named("zhangwei", "张伟", Role::Rep, east).await;
    app.user_named("chenjing", "陈静", Role::Manager, east)
        .await;
    let record = |name: &str, phone: &str| {
        json!({
            "name": name, "phone": phone, "source": "web", "city": "苏州",
            "contacts": [{ "name": "周建国", "title": "采购经理" }]
        })
    };
    let kept = id_of(
        &crate::api_merge::create_despite_warning(
            &app,
            &lina,
            record("苏州华星精密", "13800138000"),
        )
        .await,
    );
    let merged = id_of(
        &crate::api_merge::create_despite_warning(
            &app,
            &zhang,
            record("苏州华星精密有限公司", "13900139000"),
        )
        .await,
    );

    let b = Browser::start().await;
    log_in(&b, &base, "chenjing", "陈静").await;
    b.click("#nav-duplicates").await;
    assert_eq!(path(&b).await, "/customers/duplicates");
    let cluster = format!("section.cluster[data-ids=\"{kept},{merged}\"]");
    let reasons = b.text(&format!("{cluster} .reasons")).await;
    assert!(!reasons.is_empty(), "the cluster says why");
    b.click(&format!("{cluster} a.merge-link")).await;
    assert_eq!(
        path(&b).await,
        format!("/customers/merge?ids={kept},{merged}")
    );
    // Keep the first record, but take the full legal name and the owner of the second.
    b.click(&format!("#f-name-{merged}")).await;
    b.click(&format!("#f-owner-{merged}")).await;
    b.fill("reason", "同一家公司，两人各录了一次").await;
    b.click("#preview").await;
    assert_eq!(b.text("#kept").await, format!("苏州华星精密 #{kept}"));
    let html = source(&b).await;
    let outcome = texts(&html, "#outcome td.value");
    assert!(
        outcome.contains(&"苏州华星精密有限公司".to_owned())
            && outcome.contains(&"张伟".to_owned()),
        "the result before writing: {outcome:?}"
    );
    assert_eq!(
        texts(&html, "#leftover li"),
        ["苏州华星精密有限公司 · 13900139000"]
    );
    b.click("#confirm").await;
    assert_eq!(path(&b).await, format!("/customers/{kept}?flash=merged"));
    assert_eq!(b.text("#flash").await, zh("merge.flash_merged"));
    assert_eq!(b.text("#customer-name").await, "苏州华星精密有限公司");
    assert_eq!(b.text("#owner").await, "张伟");
    assert_eq!(b.text("#phone").await, "13800138000");
    let html = source(&b).await;
    let phones = texts(&html, "#contacts td.phone");
    assert!(phones.contains(&"13900139000".to_owned()), "{phones:?}");

    // The merged-away id now opens the kept customer.
    b.goto(&format!("{base}/customers/{merged}")).await;
    assert_eq!(path(&b).await, format!("/customers/{kept}"));
    assert_eq!(b.text("#customer-name").await, "苏州华星精密有限公司");
    b.close().await;
}

/// Issue 3, points 1 and 2: a similar company name (no shared key) is warned about while
/// typing, with its reasons; saving is held until the rep ticks "this is a different
/// customer", and the new customer's page then shows the recorded confirmation.
#[tokio::test]
async fn a_similar_company_name_is_warned_about_and_saving_needs_the_confirmation() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.bases[0].clone();
    let team = app.team("华东组", None).await;
    let zhang = app.user_named("zhangwei", "张伟", Role::Rep, team).await;
    let wang = app.user_named("wangfang", "王芳", Role::Rep, team).await;
    app.customer(&zhang, "苏州华星精密有限公司", "13800138000")
        .await;

    let b = Browser::start().await;
    log_in(&b, &base, "wangfang", &wang.name).await;
    b.click("#nav-new").await;
    b.fill("name", "苏州华星精密机械").await;
    let warning = b.text("#duplicate-warning").await;
    for part in [
        "苏州华星精密有限公司",
        "张伟",
        "138****8000",
        "公司名称",
        "% 相似",
        zh("fuzzy.reason.same_city").as_str(),
    ] {
        assert!(
            warning.contains(part),
            "the warning shows {part}: {warning}"
        );
    }

    b.fill("phone", "13900139000").await;
    b.fill("source", "web").await;
    b.click("#save").await;
    let label = b.text("label:has(#confirm-distinct)").await;
    assert_eq!(label, zh("fuzzy.confirm_label"), "the checkbox asks");
    assert!(
        b.text("#duplicate-warning")
            .await
            .contains("苏州华星精密有限公司"),
        "the refused form shows what it is similar to"
    );
    assert_eq!(value_of(&b, "name").await, "苏州华星精密机械", "input kept");
    assert!(
        app.list_ids(&wang, "scope=mine").await.is_empty(),
        "nothing was created without the confirmation"
    );

    b.click("#confirm-distinct").await;
    b.click("#save").await;
    let audit = b.text("#audit").await;
    assert!(
        audit.contains(&zh("customer.identity.distinct_from"))
            && audit.contains("苏州华星精密有限公司"),
        "the confirmation is on the new customer's page: {audit}"
    );
    let created = app.list_ids(&wang, "scope=mine").await;
    assert_eq!(created.len(), 1, "saved once");
    assert_eq!(
        path(&b).await,
        format!("/customers/{}?flash=created", created[0])
    );
    b.close().await;
}

/// Issue 4, point 6: a rep files an appeal from the customer page; the owner's manager
/// sees it in the header count and the queue, decides to transfer, and the customer changes
/// owner with the decision in its timeline.
#[tokio::test]
async fn an_appeal_filed_by_a_rep_is_decided_by_the_manager_end_to_end() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.bases[0].clone();
    let root = app.team("销售部", None).await;
    let east = app.team("华东组", Some(root)).await;
    let lina = app.user_named("lina", "李娜", Role::Rep, east).await;
    let zhang = app.user_named("zhangwei", "张伟", Role::Rep, east).await;
    app.user_named("chenjing", "陈静", Role::Manager, east)
        .await;
    let id = id_of(
        &app.customer(&lina, "苏州工业园区星海电子", "13700137000")
            .await,
    );
    app.post(
        &lina,
        &format!("/api/v1/customers/{id}/collaborators"),
        json!({ "user_id": zhang.id, "access": "read" }),
    )
    .await
    .assert_status(201);

    let b = Browser::start().await;
    log_in(&b, &base, "zhangwei", "张伟").await;
    b.goto(&format!("{base}/customers/{id}")).await;
    b.fill("statement", "三月我就拜访过这家客户，李娜四月才录入")
        .await;
    b.click("#appeal-submit").await;
    let filed = path(&b).await;
    assert!(
        filed.starts_with("/appeals/") && filed.ends_with("?flash=appeal_filed"),
        "{filed}"
    );
    assert_eq!(b.text("#flash").await, zh("people.flash_appeal_filed"));
    assert_eq!(b.text("#appellant").await, "张伟");
    b.clear_cookies().await;

    log_in(&b, &base, "chenjing", "陈静").await;
    assert_eq!(
        b.text("#unread-count").await,
        "1",
        "the appeal reached the manager"
    );
    b.click("#nav-appeals").await;
    b.click("tr.appeal.open a").await;
    assert_eq!(
        b.text("#statement").await,
        "三月我就拜访过这家客户，李娜四月才录入"
    );
    b.click("#decision-transfer").await;
    b.click("#decide-submit").await;
    assert!(path(&b).await.ends_with("?flash=appeal_decided"));
    assert!(
        b.text("#decision")
            .await
            .starts_with(&zh("people.decision_transfer"))
    );
    b.goto(&format!("{base}/customers/{id}")).await;
    assert_eq!(b.text("#owner").await, "张伟");
    let html = source(&b).await;
    let timeline = texts(&html, "#timeline .event-text");
    assert_eq!(
        timeline.first().map(String::as_str),
        Some(
            ui_fmt(
                "zh-CN",
                "people.ledger_appeal",
                &[("by", "陈静"), ("from", "李娜"), ("to", "张伟")]
            )
            .as_str()
        ),
        "{timeline:?}"
    );
    b.close().await;
}

#[tokio::test]
async fn a_rep_claims_from_a_pool_until_the_daily_limit_and_is_told_why() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.bases[0].clone();
    let root = app.team("销售部", None).await;
    let east = app.team("华东组", Some(root)).await;
    let admin = app.user_named("boss", "老板", Role::Admin, root).await;
    let seller = app.user_named("zhangwei", "张伟", Role::Rep, east).await;
    app.user_named("wangfang", "王芳", Role::Rep, east).await;
    app.post(
        &admin,
        "/api/v1/pools",
        json!({ "name": "华东公海", "members": [east.0], "rules": { "claim": { "per_day": 2 } } }),
    )
    .await
    .assert_status(201);
    let mut ids = Vec::new();
    for (i, phone) in ["13912340001", "13912340002", "13912340003"]
        .iter()
        .enumerate()
    {
        ids.push(
            app.pool_customer(&seller, &format!("华东客户{i}号"), phone)
                .await,
        );
    }

    let b = Browser::start().await;
    log_in(&b, &base, "wangfang", "王芳").await;
    for id in &ids[..2] {
        b.goto(&format!("{base}/customers/{id}")).await;
        assert_eq!(b.text("#pool-name").await, "华东公海", "the pool is named");
        b.click("#claim").await;
        assert_eq!(path(&b).await, format!("/customers/{id}?flash=claimed"));
        assert_eq!(b.text("#owner").await, "王芳");
    }
    b.goto(&format!("{base}/customers/{}", ids[2])).await;
    b.click("#claim").await;
    assert_eq!(
        b.text("#error-message").await,
        ui_fmt(
            "zh-CN",
            "pools.limit_reached",
            &[
                ("when", &zh("pools.period_day_when")),
                ("claimed", "2"),
                ("per", &zh("pools.period_day")),
                ("limit", "2")
            ]
        ),
        "今天已领取 2 个，已达上限（每天 2 个）"
    );
    b.close().await;
}
