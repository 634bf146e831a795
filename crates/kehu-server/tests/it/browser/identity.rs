//! Duplicates at the door (exact and similar) and merging duplicates from the review page.

use super::*;

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
    let created = app.customer(&zhang, "苏州华星精密", "13800138000").await;
    let existing = id_of(&created);
    // 15 days' protection from when 张伟 took it, shown in the team's time (UTC+8).
    let protected = created["owner_since"]
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t + chrono::Duration::days(15))
        .and_then(|t| Some(t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600)?)))
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .expect("owner_since");
    let protected = ui_fmt(
        "zh-CN",
        "identity.protected_until",
        &[("until", &protected)],
    );

    let b = Browser::start().await;
    log_in(&b, &base, "wangfang", &wang.name).await;
    b.click_and_wait_navigation("#nav-new").await;
    b.fill("name", "华星精密（苏州）").await;
    b.fill("phone", "+86 138-0013-8000").await;
    // The name's check may answer first: wait for the phone's.
    let warning = b
        .text_containing("#duplicate-warning", &zh("identity.same_mobile"))
        .await;
    for part in [
        "苏州华星精密",
        "张伟",
        "138****8000",
        protected.as_str(),
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
    b.click_and_wait_navigation("button.request[value^=\"collaboration|\"]")
        .await;
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
    b.click_and_wait_navigation("#save").await;
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
    b.click_and_wait_navigation("#nav-duplicates").await;
    assert_eq!(path(&b).await, "/customers/duplicates");
    let cluster = format!("section.cluster[data-ids=\"{kept},{merged}\"]");
    let reasons = b.text(&format!("{cluster} .reasons")).await;
    assert!(!reasons.is_empty(), "the cluster says why");
    b.click_and_wait_navigation(&format!("{cluster} a.merge-link"))
        .await;
    assert_eq!(
        path(&b).await,
        format!("/customers/merge?ids={kept},{merged}")
    );
    // Keep the first record, but take the full legal name and the owner of the second.
    b.click(&format!("#f-name-{merged}")).await;
    b.click(&format!("#f-owner-{merged}")).await;
    b.fill("reason", "同一家公司，两人各录了一次").await;
    b.click_and_wait_navigation("#preview").await;
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
    b.click_and_wait_navigation("#confirm").await;
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
    b.click_and_wait_navigation("#nav-new").await;
    b.fill("name", "苏州华星精密机械").await;
    let warning = b
        .text_containing("#duplicate-warning", "苏州华星精密有限公司")
        .await;
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
    b.click_and_wait_navigation("#save").await;
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
    b.click_and_wait_navigation("#save").await;
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
