//! Follow-ups and the admin settings they are judged by.

use crate::support::*;
use chrono::{Duration, FixedOffset};
use kehu_domain::followup::{EffectivenessRules, FollowUpInput, NewFollowUp};
use kehu_domain::ownership::protection::{ProtectionPolicy, protection};
use kehu_testkit::BACKENDS;

fn follow_up(kind: &str, content: &str, next: Option<&str>) -> NewFollowUp {
    let input = FollowUpInput {
        kind: Some(kind.into()),
        content: Some(content.into()),
        next_follow_up_at: next.map(Into::into),
        ..FollowUpInput::default()
    };
    NewFollowUp::parse(&input, FixedOffset::east_opt(8 * 3600).expect("offset")).expect("valid")
}

#[tokio::test]
async fn effective_follow_ups_by_the_owner_extend_protection_and_set_the_next_date() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("苏州华星精密", "13800138000"), t0())
            .await
            .expect("create");
        let rules = EffectivenessRules::default();
        let long = follow_up(
            "note",
            "客户对报价有疑问，下周二安排技术演示",
            Some("2026-11-10T10:00"),
        );
        let short = follow_up("note", "已联系", None);
        let day = |n| t0() + Duration::days(n);
        for (f, at) in [(&long, day(3)), (&short, day(4))] {
            s.add_follow_up(&o.rep_a, id, Some(o.rep_a.user_id), f, &rules.judge(f), at)
                .await
                .expect("add");
        }
        // A manager's follow-up is recorded but does not keep the owner's customer alive.
        s.add_follow_up(
            &o.manager,
            id,
            Some(o.rep_a.user_id),
            &long,
            &rules.judge(&long),
            day(5),
        )
        .await
        .expect("add");

        let history = s.follow_ups(id).await.expect("history");
        let shown: Vec<_> = history
            .iter()
            .map(|f| (f.author_name.as_str(), f.effective))
            .collect();
        assert_eq!(
            shown,
            [("mgr_east", true), ("rep_a", false), ("rep_a", true)],
            "{b:?}"
        );

        let times = s
            .effective_follow_up_times(id, o.rep_a.user_id, t0())
            .await
            .expect("times");
        assert_eq!(times, [day(3)], "{b:?}");
        let p = protection(ProtectionPolicy::default(), t0(), &times);
        assert_eq!(p.until, day(22), "{b:?}");

        let view = s
            .customer_for(&o.rep_a, id)
            .await
            .expect("q")
            .expect("visible");
        assert_eq!(
            view.customer.next_follow_up_at.map(|t| t.to_rfc3339()),
            Some("2026-11-10T02:00:00+00:00".to_owned()),
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn settings_read_as_defaults_until_an_admin_sets_them() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let rules: EffectivenessRules = s.setting("effectiveness").await.expect("read");
        assert_eq!(rules, EffectivenessRules::default(), "{b:?}");
        let mut stricter = rules.clone();
        stricter.note.min_chars = 30;
        s.put_setting(&o.manager, "effectiveness", &stricter, t0())
            .await
            .expect("put");
        let read: EffectivenessRules = s.setting("effectiveness").await.expect("read");
        assert_eq!(read.note.min_chars, 30, "{b:?}");
        s.put_setting(&o.manager, "effectiveness", &rules, t0())
            .await
            .expect("put back");
        let read: EffectivenessRules = s.setting("effectiveness").await.expect("read");
        assert_eq!(read, rules, "{b:?}");
    }
}
