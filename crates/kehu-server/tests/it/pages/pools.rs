//! `/admin/pools`: field errors at their fields with the input kept, the preview before a
//! new pool or a rule change is saved, admins only.

use super::signed_in;
use crate::api_pools_more::{aged_customer, team_of};
use crate::harness::{Org, ui_fmt, zh};
use kehu_testkit::BACKENDS;

#[tokio::test]
async fn the_pool_form_shows_errors_at_their_fields_and_previews_before_saving() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let rep = signed_in(app, "rep_a").await;
        rep.get("/admin/pools").await.status(403);
        let admin = signed_in(app, "admin").await;
        let csrf = admin.get("/admin/pools/new").await.status(200).csrf();
        let page = admin
            .post(
                "/admin/pools",
                &[
                    ("csrf", &csrf),
                    ("name", " "),
                    ("claim.per_day", "0"),
                    ("claim.per_week", "五"),
                    ("recycle.no_follow_up_days", "30"),
                ],
            )
            .await
            .status(422);
        assert_eq!(page.text("#error-name"), zh("error.required"), "{b:?}");
        assert_eq!(
            page.text("#error-claim-per_week"),
            zh("error.number_invalid"),
            "{b:?}: a word where a number belongs"
        );
        assert_eq!(
            page.attr("input[name='claim.per_week']", "value")
                .as_deref(),
            Some("五"),
            "{b:?}: input kept"
        );
        let page = admin
            .post(
                "/admin/pools",
                &[
                    ("csrf", &csrf),
                    ("name", "华东公海"),
                    ("claim.per_day", "0"),
                    ("recycle.no_follow_up_days", "30"),
                    ("recycle.warn_days", "30"),
                ],
            )
            .await
            .status(422);
        assert_eq!(
            page.text("#error-claim-per_day"),
            zh("error.must_be_positive")
        );
        assert_eq!(
            page.text("#error-recycle-warn_days"),
            zh("error.warn_not_before"),
            "{b:?}"
        );
        let new_pool = [
            ("csrf", csrf.as_str()),
            ("name", "华东公海"),
            ("recycle.no_follow_up_days", "30"),
            ("recycle.warn_days", "3"),
        ];
        // A new pool is previewed first too, and not saved.
        let preview = admin.post("/admin/pools", &new_pool).await.status(200);
        assert_eq!(preview.count("#preview-summary"), 1, "{b:?}");
        assert_eq!(preview.text("#save-pool"), zh("pools.create"), "{b:?}");
        let list = admin.get("/admin/pools").await.status(200);
        assert_eq!(list.count("#pools tbody tr"), 1, "{b:?}: only 公海");
        let mut confirmed = new_pool.to_vec();
        confirmed.push(("confirm", "1"));
        let created = admin.post("/admin/pools", &confirmed).await.status(303);
        let path = created.location();
        // A change is previewed first, and not saved.
        let preview = admin
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("name", "华东公海"),
                    ("recycle.no_follow_up_days", "20"),
                    ("claim.per_day", "5"),
                ],
            )
            .await
            .status(200);
        assert_eq!(
            preview.text("#preview-summary"),
            ui_fmt(
                "zh-CN",
                "pools.preview_summary",
                &[("customers", "0"), ("reps", "0")]
            ),
            "{b:?}"
        );
        let unsaved = admin.get(&path).await.status(200);
        assert_eq!(
            unsaved
                .attr("input[name='claim.per_day']", "value")
                .as_deref(),
            Some(""),
            "{b:?}: nothing saved by the preview"
        );
        admin
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("confirm", "1"),
                    ("name", "华东公海"),
                    ("recycle.no_follow_up_days", "20"),
                    ("claim.per_day", "5"),
                ],
            )
            .await
            .status(303);
        let saved = admin.get(&path).await.status(200);
        assert_eq!(
            saved
                .attr("input[name='claim.per_day']", "value")
                .as_deref(),
            Some("5"),
            "{b:?}"
        );
        let list = admin.get("/admin/pools").await.status(200);
        assert_eq!(list.count("#pools tbody tr"), 2, "{b:?}: 公海 and 华东公海");
    }
}

#[tokio::test]
async fn a_rep_who_sees_several_pools_can_choose_one() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let east = app
            .store()
            .actor(kehu_domain::ids::UserId(o.rep_a.id))
            .await
            .expect("actor")
            .expect("active")
            .team_id
            .expect("team");
        let r = app
            .post(
                &o.admin,
                "/api/v1/pools",
                serde_json::json!({"name": "华东公海", "members": [east.0]}),
            )
            .await
            .assert_status(201);
        let east_pool = r.body["id"].as_i64().expect("id");
        let ours = app
            .pool_customer(&o.rep_a, "华东池客户", &crate::harness::fresh_phone())
            .await;
        let theirs = app
            .pool_customer(&o.south_rep, "默认池客户", &crate::harness::fresh_phone())
            .await;
        let web = signed_in(app, "rep_b").await;
        let all = web.get("/customers?scope=pool").await.status(200);
        assert_eq!(
            all.texts("#pool-select option"),
            [zh("pools.all_pools"), "公海".into(), "华东公海".into()],
            "{b:?}"
        );
        assert_eq!(
            all.count(
                "a[href='/customers/{ours}']"
                    .replace("{ours}", &ours.to_string())
                    .as_str()
            ),
            1
        );
        let one = web
            .get(&format!("/customers?scope=pool&pool={east_pool}"))
            .await
            .status(200);
        let href = |id: i64| format!("a[href='/customers/{id}']");
        assert_eq!(one.count(&href(ours)), 1, "{b:?}");
        assert_eq!(one.count(&href(theirs)), 0, "{b:?}: only 华东公海");
        let south = signed_in(app, "rep_south").await;
        let page = south.get("/customers?scope=pool").await.status(200);
        assert_eq!(
            page.count("#pool-select"),
            0,
            "{b:?}: one pool, no selector"
        );
        assert_eq!(page.count(&href(ours)), 0, "{b:?}");
    }
}

#[tokio::test]
async fn creating_a_pool_for_a_team_previews_the_customers_it_would_recycle_tonight() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let neglected = aged_customer(app, &o.rep_a, "苏州华星精密", 40).await;
        let recent = aged_customer(app, &o.rep_b, "无锡新客户", 10).await;
        let elsewhere = aged_customer(app, &o.south_rep, "广州老客户", 40).await;
        let east = team_of(app, &o.rep_a).await.to_string();
        let admin = signed_in(app, "admin").await;
        let csrf = admin.get("/admin/pools/new").await.status(200).csrf();
        let form = [
            ("csrf", csrf.as_str()),
            ("name", "华东公海"),
            ("member", east.as_str()),
            ("recycle.no_follow_up_days", "30"),
        ];
        let preview = admin.post("/admin/pools", &form).await.status(200);
        assert_eq!(
            preview.text("#preview-summary"),
            ui_fmt(
                "zh-CN",
                "pools.preview_summary",
                &[("customers", "1"), ("reps", "1")]
            ),
            "{b:?}"
        );
        let row = |id: i64| format!("#preview-list tr[data-id='{id}']");
        assert_eq!(
            preview.texts(&format!("{} td", row(neglected))),
            ["苏州华星精密", o.rep_a.name.as_str()],
            "{b:?}"
        );
        assert_eq!(preview.count(&row(recent)), 0, "{b:?}: still protected");
        assert_eq!(preview.count(&row(elsewhere)), 0, "{b:?}: not its team");
        assert_eq!(
            preview
                .attr("input[name='member'][checked]", "value")
                .as_deref(),
            Some(east.as_str()),
            "{b:?}: the form kept"
        );
        let list = admin.get("/admin/pools").await.status(200);
        assert_eq!(list.count("#pools tbody tr"), 1, "{b:?}: nothing saved");
        // The taken name is found at the preview already.
        let mut taken = form;
        taken[1] = ("name", "公海");
        let refused = admin.post("/admin/pools", &taken).await.status(422);
        assert_eq!(refused.text("#error-name"), zh("error.conflict"), "{b:?}");
        assert_eq!(refused.count("#preview"), 0, "{b:?}");
        let mut confirmed = form.to_vec();
        confirmed.push(("confirm", "1"));
        let created = admin.post("/admin/pools", &confirmed).await.status(303);
        let page = admin.get(&created.location()).await.status(200);
        assert_eq!(page.text("h1"), "华东公海", "{b:?}");
        let list = admin.get("/admin/pools").await.status(200);
        assert_eq!(list.count("#pools tbody tr"), 2, "{b:?}");
    }
}
