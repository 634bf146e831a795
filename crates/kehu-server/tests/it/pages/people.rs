//! The inbox and its header count, the collaborator section, the reveal log and appeals on
//! pages, on both engines.

use super::signed_in;
use crate::harness::{Org, fresh_phone, id_of, zh};
use kehu_testkit::BACKENDS;
use serde_json::json;

#[tokio::test]
async fn the_header_counts_unread_notifications_and_the_inbox_marks_them_read() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_b, "常州武进机械", &fresh_phone()).await);
        let web = signed_in(app, "rep_a").await;
        let page = web.get("/customers").await.status(200);
        assert_eq!(page.count("#unread-count"), 0, "{}", page.what);
        app.post(
            &o.manager,
            &format!("/api/v1/customers/{id}/transfer"),
            json!({ "to": o.rep_a.id, "reason": "区域调整" }),
        )
        .await
        .assert_status(200);
        let page = web.get("/customers").await.status(200);
        assert_eq!(page.text("#unread-count"), "1", "{}", page.what);
        let inbox = web.get("/inbox").await.status(200);
        assert_eq!(
            inbox.texts("li.notification.unread .text"),
            [format!("{} 将客户「常州武进机械」转移给你", o.manager.name)],
            "{}",
            inbox.what
        );
        let csrf = inbox.csrf();
        web.post("/inbox/read", &[("csrf", &csrf)])
            .await
            .status(303);
        let inbox = web.get("/inbox").await.status(200);
        assert_eq!(inbox.count("li.notification.unread"), 0, "{}", inbox.what);
        assert_eq!(inbox.count("li.notification"), 1, "{}", inbox.what);
        assert_eq!(inbox.count("#unread-count"), 0, "{}", inbox.what);
        // Nobody else heard of it.
        let other = signed_in(app, "rep_south").await;
        let inbox = other.get("/inbox").await.status(200);
        assert_eq!(inbox.text("#inbox-empty"), zh("people.inbox_empty"));
    }
}

#[tokio::test]
async fn the_owner_adds_and_removes_a_collaborator_and_sees_who_looked() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "嘉兴南湖纺织", &fresh_phone()).await);
        let path = format!("/customers/{id}");
        let owner = signed_in(app, "rep_a").await;
        let south = signed_in(app, "rep_south").await;
        south.get(&path).await.status(404);

        let page = owner.get(&path).await.status(200);
        let csrf = page.csrf();
        let add = owner
            .post(
                &format!("{path}/collaborators"),
                &[
                    ("csrf", &csrf),
                    ("user_id", &o.south_rep.id.to_string()),
                    ("access", "read"),
                ],
            )
            .await
            .status(303);
        assert_eq!(add.location(), format!("{path}?flash=collaborator_added"));
        let seen = south.get(&path).await.status(200);
        assert_eq!(seen.count("#phone"), 1, "{}", seen.what);
        // A read collaborator sees no management buttons.
        assert_eq!(seen.count("#add-collaborator"), 0, "{}", seen.what);

        let mine = owner.get(&path).await.status(200);
        let log = mine.texts("#reveal-log li.reveal");
        assert_eq!(log.len(), 1, "{}: {log:?}", mine.what);
        assert!(log[0].contains(&o.south_rep.name), "{log:?}");
        assert_eq!(
            mine.texts("#collaborators li.collaborator")[0]
                .split(' ')
                .next(),
            Some(o.south_rep.name.as_str()),
            "{}",
            mine.what
        );

        owner
            .post(
                &format!("{path}/collaborators/{}/remove", o.south_rep.id),
                &[("csrf", &csrf)],
            )
            .await
            .status(303);
        south.get(&path).await.status(404);
    }
}

#[tokio::test]
async fn an_appeal_filed_on_the_page_is_decided_by_the_manager_and_hidden_from_others() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "绍兴柯桥印染", &fresh_phone()).await);
        app.post(
            &o.rep_a,
            &format!("/api/v1/customers/{id}/collaborators"),
            json!({ "user_id": o.rep_b.id }),
        )
        .await
        .assert_status(201);
        let rep_b = signed_in(app, "rep_b").await;
        let page = rep_b.get(&format!("/customers/{id}")).await.status(200);
        let csrf = page.csrf();
        // multipart/form-data as a browser sends it: csrf, statement, one file.
        let boundary = "kehu-test-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"statement\"\r\n\r\n我上个月就拜访过，见附件\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"visit.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nvisit log\r\n--{boundary}--\r\n"
        );
        let filed = rep_b
            .client
            .post(format!("{}/customers/{id}/appeals", rep_b.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("file appeal");
        assert_eq!(filed.status(), 303, "[{b:?}] file appeal");
        let location = filed
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let appeal = location
            .trim_start_matches("/appeals/")
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();

        let manager = signed_in(app, "mgr_east").await;
        let queue = manager.get("/appeals").await.status(200);
        assert_eq!(queue.count("tr.appeal.open"), 1, "{}", queue.what);
        let detail = manager.get(&format!("/appeals/{appeal}")).await.status(200);
        assert_eq!(detail.text("#statement"), "我上个月就拜访过，见附件");
        assert_eq!(
            detail.texts("#evidence li a"),
            ["visit.txt"],
            "{}",
            detail.what
        );
        assert_eq!(
            detail.texts("#appeal-timeline li.moment span")[0],
            format!("{} 录入客户", o.rep_a.name),
            "{}",
            detail.what
        );
        let other = signed_in(app, "mgr_south").await;
        other.get(&format!("/appeals/{appeal}")).await.status(404);
        let rep_view = rep_b.get(&format!("/appeals/{appeal}")).await.status(200);
        assert_eq!(rep_view.count("#decision-form"), 0, "{}", rep_view.what);

        let csrf = detail.csrf();
        let bad = manager
            .post(
                &format!("/appeals/{appeal}/decision"),
                &[
                    ("csrf", &csrf),
                    ("decision", "split"),
                    ("appellant_share", "0"),
                ],
            )
            .await
            .status(422);
        assert_eq!(
            bad.text("#error-appellant_share"),
            zh("error.share_out_of_range")
        );
        manager
            .post(
                &format!("/appeals/{appeal}/decision"),
                &[
                    ("csrf", &csrf),
                    ("decision", "transfer"),
                    ("note", "证据充分"),
                ],
            )
            .await
            .status(303);
        let c = app.get(&o.admin, &format!("/api/v1/customers/{id}")).await;
        assert_eq!(c.body["owner"]["id"], o.rep_b.id, "{b:?}");
        let done = rep_b.get(&format!("/appeals/{appeal}")).await.status(200);
        assert_eq!(
            done.text("#decision").split(' ').next(),
            Some(zh("people.decision_transfer").as_str())
        );
    }
}
