//! Appeals decided end to end, claim limits, and a recycle warning after the clock moves.

use super::*;

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
    b.click_and_wait_navigation("#appeal-submit").await;
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
    b.click_and_wait_navigation("#nav-appeals").await;
    b.click_and_wait_navigation("tr.appeal.open a").await;
    assert_eq!(
        b.text("#statement").await,
        "三月我就拜访过这家客户，李娜四月才录入"
    );
    b.click("#decision-transfer").await;
    b.click_and_wait_navigation("#decide-submit").await;
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
        b.click_and_wait_navigation("#claim").await;
        assert_eq!(path(&b).await, format!("/customers/{id}?flash=claimed"));
        assert_eq!(b.text("#owner").await, "王芳");
    }
    b.goto(&format!("{base}/customers/{}", ids[2])).await;
    b.click_and_wait_navigation("#claim").await;
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

/// Issue 4: a rep who has not followed up for 27 days sees the customer marked on their list
/// and the recycle warning in the inbox (the header counts it) after the job ran with a
/// fast-forwarded clock (the job's own state,
/// in the test only; the server keeps the real clock).
#[tokio::test]
async fn a_recycle_warning_reaches_the_rep_after_the_clock_moves() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.bases[0].clone();
    let east = app.team("华东组", None).await;
    let lina = app.user_named("lina", "李娜", Role::Rep, east).await;
    let id = id_of(
        &app.customer(&lina, "苏州工业园区星海电子", "13700137000")
            .await,
    );
    #[expect(
        clippy::disallowed_methods,
        reason = "the test starts from the real present"
    )]
    let later = chrono::Utc::now() + chrono::Duration::days(28);
    let state = crate::harness::runner(&app, app.store().clone(), later);
    let report = kehu_server::jobs::run_once(&state)
        .await
        .expect("pass")
        .recycle;
    assert_eq!((report.warned, report.recycled), (1, 0));

    let b = Browser::start().await;
    log_in(&b, &base, "lina", "李娜").await;
    // The rep's own list marks the customer as about to be recycled.
    let marks = texts(&source(&b).await, ".recycle-due");
    assert_eq!(marks.len(), 1, "{marks:?}");
    assert!(marks[0].starts_with("即将回收"), "{marks:?}");
    assert_eq!(b.text("#unread-count").await, "1");
    b.click_and_wait_navigation("#nav-inbox").await;
    let html = source(&b).await;
    let items = texts(&html, "#inbox li");
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(
        items[0].contains("苏州工业园区星海电子") && items[0].contains("即将被回收"),
        "{items:?}"
    );
    assert!(
        html.contains(&format!("/customers/{id}")),
        "the warning links to the customer"
    );
}
