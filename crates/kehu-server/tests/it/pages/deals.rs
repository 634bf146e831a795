//! Deals on the customer page: added from the section's form, shown with stage and amount,
//! moved (a loss refused without its reason, the input kept), unreachable for other reps.

use super::{Web, signed_in};
use crate::harness::{Org, fresh_phone, id_of, zh};
use kehu_testkit::BACKENDS;

#[tokio::test]
async fn a_deal_added_on_the_customer_page_shows_there_and_moves() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await);
        let web = signed_in(app, "rep_a").await;
        let page = web.get(&format!("/customers/{id}")).await.status(200);
        assert_eq!(page.text("#deals .muted"), zh("deal.none"), "{}", page.what);
        let csrf = page.csrf();

        let saved = web
            .post(
                &format!("/customers/{id}/deals"),
                &[
                    ("csrf", &csrf),
                    ("title", "2027 年度维保"),
                    ("amount", "1234567.8"),
                    ("stage", "needs"),
                    ("expected_close_date", "2027-03-31"),
                ],
            )
            .await
            .status(303);
        assert_eq!(
            saved.location(),
            format!("/customers/{id}?flash=deal_created")
        );
        let page = web.get(&saved.location()).await.status(200);
        assert_eq!(
            page.text(".flash"),
            zh("deal.flash_deal_created"),
            "{}",
            page.what
        );
        assert_eq!(
            page.text("#deals .deal-name"),
            "2027 年度维保",
            "{}",
            page.what
        );
        assert_eq!(
            page.text("#deals .deal-stage"),
            zh("deal.stage_needs"),
            "{}",
            page.what
        );
        assert_eq!(
            page.text("#deals .deal-amount"),
            "¥1,234,567.80",
            "{}",
            page.what
        );
        let deal = page.attr("#deals .deal", "data-deal").expect("deal id");

        // A loss without its reason is refused on the stage form, naming the field.
        let path = format!("/customers/{id}/deals/{deal}/stage");
        let refused = web
            .post(
                &path,
                &[("csrf", &csrf), ("stage", "lost"), ("lost_reason", " ")],
            )
            .await
            .status(422);
        assert_eq!(
            refused.text("#error-lost_reason"),
            zh("error.required"),
            "{}",
            refused.what
        );
        assert_eq!(
            refused.attr("#stage option[selected]", "value").as_deref(),
            Some("lost"),
            "{}: the choice is kept",
            refused.what
        );
        let moved = web
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("stage", "lost"),
                    ("lost_reason", "预算取消"),
                ],
            )
            .await
            .status(303);
        let page = web.get(&moved.location()).await.status(200);
        assert_eq!(
            page.text(".flash"),
            zh("deal.flash_deal_moved"),
            "{}",
            page.what
        );
        assert_eq!(
            page.text("#deals .deal-stage"),
            zh("deal.stage_lost"),
            "{}",
            page.what
        );
        assert!(
            page.text("#deals .deal-lost-reason").contains("预算取消"),
            "{}",
            page.what
        );
        assert_eq!(
            page.count("#deals .deal-move"),
            0,
            "{}: a lost deal does not move",
            page.what
        );
        assert_eq!(page.count("#deals .deal-event"), 2, "{}", page.what);
    }
}

#[tokio::test]
async fn other_reps_reach_no_deal_form_and_readers_get_no_buttons() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "常州永信机械", &fresh_phone()).await);
        let web: Web = signed_in(app, "rep_b").await;
        web.get(&format!("/customers/{id}/deals/new"))
            .await
            .status(404);
        let csrf = web.csrf().await;
        web.post(
            &format!("/customers/{id}/deals"),
            &[("csrf", &csrf), ("title", "抢单")],
        )
        .await
        .status(404);
        // A pool customer: visible, but nobody's to add deals to.
        let pooled = app
            .pool_customer(&o.rep_a, "南京天成科技", &fresh_phone())
            .await;
        let page = web.get(&format!("/customers/{pooled}")).await.status(200);
        assert_eq!(page.count("#add-deal"), 0, "{}", page.what);
    }
}
