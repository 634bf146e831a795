//! Leave (休假) on pages: a manager records a rep's leave on the team page and sees it there;
//! a rep records and cancels their own on `/leave`; a refused form comes back with its errors.
#![expect(
    clippy::disallowed_methods,
    reason = "dates are typed relative to the real present the server runs in"
)]

use super::signed_in;
use crate::harness::{Org, zh};
use chrono::{Duration, FixedOffset, Utc};
use kehu_testkit::BACKENDS;

/// The team's calendar date `days` from today (UTC+8), as a date input sends it.
fn date(days: i64) -> String {
    let cst = FixedOffset::east_opt(8 * 3600).expect("offset");
    (Utc::now().with_timezone(&cst).date_naive() + Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn span(from: &str, until: &str) -> String {
    zh("leave.span")
        .replace("{from}", from)
        .replace("{until}", until)
}

#[tokio::test]
async fn a_manager_records_a_reps_leave_on_the_team_page() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let m = signed_in(app, "mgr_east").await;
        let csrf = m.get("/team").await.status(200).csrf();
        let (from, until) = (date(-1), date(6));
        let done = m
            .post(
                &format!("/team/{}/leaves", o.rep_a.id),
                &[
                    ("csrf", &csrf),
                    ("from", &from),
                    ("until", &until),
                    ("note", "年假"),
                ],
            )
            .await
            .status(303);
        assert_eq!(done.location(), "/team?flash=leave_recorded", "{b:?}");
        let team = m.get(&done.location()).await.status(200);
        assert_eq!(
            team.text("#flash"),
            zh("leave.flash_leave_recorded"),
            "{b:?}"
        );
        let row = "tr[data-login=rep_a] .leave";
        assert_eq!(
            team.text(&format!("{row} .span")),
            span(&from, &until),
            "{b:?}"
        );
        assert_eq!(team.text(&format!("{row} .note")), "年假", "{b:?}");
        // It started yesterday: rep_a is on leave now.
        assert_eq!(
            team.text(&format!("{row} .on-leave")),
            zh("leave.on_leave"),
            "{b:?}"
        );
        assert_eq!(team.count("tr[data-login=rep_b] .leave"), 0, "{b:?}");
        // The same leave through the API.
        let api = app
            .get(&o.rep_a, &format!("/api/v1/users/{}/leaves", o.rep_a.id))
            .await
            .assert_status(200);
        assert_eq!(api.items().len(), 1, "{b:?}");
        // Another team's manager cannot record leave for rep_a.
        let south = signed_in(app, "mgr_south").await;
        let csrf = south.get("/team").await.status(200).csrf();
        south
            .post(
                &format!("/team/{}/leaves", o.rep_a.id),
                &[("csrf", &csrf), ("from", &date(2)), ("until", &date(3))],
            )
            .await
            .status(404);
    }
}

#[tokio::test]
async fn a_refused_leave_form_comes_back_with_the_field_and_what_was_typed() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let m = signed_in(app, "mgr_east").await;
        let csrf = m.get("/team").await.status(200).csrf();
        let (from, until) = (date(5), date(2));
        let page = m
            .post(
                &format!("/team/{}/leaves", o.rep_a.id),
                &[
                    ("csrf", &csrf),
                    ("from", &from),
                    ("until", &until),
                    ("note", "病假"),
                ],
            )
            .await
            .status(422);
        let form = "tr[data-login=rep_a] .leave-form";
        let error = page.text(&format!("{form} .error"));
        assert!(
            error.starts_with(&zh("leave.field_until"))
                && error.contains(&zh("error.leave_not_after_from")),
            "{b:?}: {error}"
        );
        assert_eq!(
            page.attr(&format!("{form} input[name=from]"), "value"),
            Some(from),
            "{b:?}"
        );
        assert_eq!(
            page.attr(&format!("{form} input[name=note]"), "value"),
            Some("病假".into())
        );
        assert_eq!(
            page.count("tr[data-login=rep_b] .leave-form .error"),
            0,
            "{b:?}"
        );
        assert_eq!(page.count(".leave"), 0, "{b:?}: nothing recorded");
    }
}

#[tokio::test]
async fn a_rep_records_and_cancels_their_own_leave() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let app = &o.app;
        let rep = signed_in(app, "rep_a").await;
        let page = rep.get("/leave").await.status(200);
        assert_eq!(page.text("#no-leave"), zh("leave.none"), "{b:?}");
        let (from, until) = (date(10), date(15));
        let done = rep
            .post(
                "/leave",
                &[
                    ("csrf", &page.csrf()),
                    ("from", &from),
                    ("until", &until),
                    ("note", ""),
                ],
            )
            .await
            .status(303);
        let page = rep.get(&done.location()).await.status(200);
        assert_eq!(
            page.text("#flash"),
            zh("leave.flash_leave_recorded"),
            "{b:?}"
        );
        assert_eq!(page.text(".leave .span"), span(&from, &until), "{b:?}");
        assert_eq!(page.count(".leave .on-leave"), 0, "{b:?}: not yet");
        // rep_b's leave page shows none of it; rep_a cannot record rep_b's leave.
        let other = signed_in(app, "rep_b").await;
        assert_eq!(
            other.get("/leave").await.status(200).count(".leave"),
            0,
            "{b:?}"
        );
        rep.post(
            &format!("/team/{}/leaves", o.rep_b.id),
            &[("csrf", &page.csrf()), ("from", &from), ("until", &until)],
        )
        .await
        .status(404);
        // Cancelled, it is gone.
        let leave = page.attr(".leave", "data-leave").expect("leave id");
        rep.post(&format!("/leave/{leave}/cancel"), &[("csrf", &page.csrf())])
            .await
            .status(303);
        let page = rep.get("/leave").await.status(200);
        assert_eq!(page.count(".leave"), 0, "{b:?}");
        // rep_b cannot cancel it (it is not theirs): not found.
        other
            .post(
                &format!("/leave/{leave}/cancel"),
                &[("csrf", &other.get("/leave").await.csrf())],
            )
            .await
            .status(404);
    }
}
