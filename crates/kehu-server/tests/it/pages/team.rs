//! Hand-over of a departing rep's customers from the team page: spread over a team or back to
//! the pool, with a progress page that ends in the report.

use super::{Page, Web, signed_in};
use crate::harness::{Org, fresh_phone, id_of, zh};
use kehu_testkit::BACKENDS;

/// Follows a hand-over's progress page until it is done; answers the final page.
pub(super) async fn wait_for_handover(web: &Web, path: &str) -> Page {
    for _ in 0..200 {
        let page = web.get(path).await.status(200);
        if page.attr("#handover", "data-status").as_deref() == Some("done") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("hand-over at {path} did not finish");
}

#[tokio::test]
async fn a_departing_reps_customers_are_spread_evenly_over_a_team() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        for i in 0..7 {
            app.customer(&o.rep_a, &format!("客户{i}号精密"), &fresh_phone())
                .await;
        }
        // rep_a leaves; the team's other reps are rep_b (2 customers) and a new rep_c (none).
        let team_east = app
            .store()
            .team_by_name("华东")
            .await
            .expect("q")
            .expect("team");
        let rep_c = app
            .user(
                "rep_c",
                kehu_domain::Role::Rep,
                kehu_domain::ids::TeamId(team_east.id),
            )
            .await;
        for i in 0..2 {
            app.customer(&o.rep_b, &format!("乙方{i}号机械"), &fresh_phone())
                .await;
        }
        let m = signed_in(app, "mgr_east").await;
        let team = m.get("/team").await.status(200);
        let csrf = team.csrf();
        let started = m
            .post(
                &format!("/team/{}/transfer-all", o.rep_a.id),
                &[
                    ("csrf", &csrf),
                    ("dest", &format!("team:{}", team_east.id)),
                    ("reason", "离职交接"),
                ],
            )
            .await
            .status(303);
        let done = wait_for_handover(&m, &started.location()).await;
        let expected = zh("team.transfer_all_done")
            .replace("{moved}", "7")
            .replace("{skipped}", "0");
        assert_eq!(done.text("#handover-progress"), expected, "{}", done.what);
        // 2 + 7 spread over rep_b (2) and rep_c (0): they end one apart at most.
        let b_count = app.list_ids(&o.rep_b, "scope=mine").await.len();
        let c_count = app.list_ids(&rep_c, "scope=mine").await.len();
        assert_eq!(b_count + c_count, 9, "{b:?}");
        assert!(
            b_count.abs_diff(c_count) <= 1,
            "{b:?}: {b_count} vs {c_count}"
        );
        assert!(app.list_ids(&o.rep_a, "scope=mine").await.is_empty());
    }
}

#[tokio::test]
async fn customers_go_back_to_the_pool_and_outsiders_cannot_watch() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let id = id_of(&app.customer(&o.rep_a, "苏州华星精密", &fresh_phone()).await);
        let m = signed_in(app, "mgr_east").await;
        let csrf = m.get("/team").await.status(200).csrf();
        let started = m
            .post(
                &format!("/team/{}/transfer-all", o.rep_a.id),
                &[
                    ("csrf", &csrf),
                    ("dest", "pool"),
                    ("reason", "离职，退回公海"),
                ],
            )
            .await
            .status(303);
        wait_for_handover(&m, &started.location()).await;
        assert!(app.list_ids(&o.rep_b, "scope=pool").await.contains(&id));
        // Another team's manager: the hand-over does not exist for them.
        let south = signed_in(app, "mgr_south").await;
        south.get(&started.location()).await.status(404);
    }
}
