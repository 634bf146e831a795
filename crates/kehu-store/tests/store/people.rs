//! Notifications are written with their event or not at all; collaborators open and close
//! access; a kept appeal leaves owner and owner-since alone.

use crate::support::*;
use chrono::Duration;
use kehu_domain::access::CollaboratorAccess;
use kehu_domain::ownership::appeal::{self, Decision};
use kehu_domain::ownership::{self, LedgerKind, Reason, TransferTarget};
use kehu_store::StoreError;
use kehu_store::appeals::DecisionRecord;
use kehu_testkit::BACKENDS;

#[tokio::test]
async fn a_lost_compare_and_set_leaves_no_notification_behind() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("南京恒达", "13700002222"), t0())
            .await
            .expect("create");
        let state = s.ownership_state(id).await.expect("state").expect("exists");
        let target = TransferTarget {
            user_id: o.rep_b.user_id,
            team_path: o.rep_b.team_path.clone(),
            active: true,
        };
        let reason = Reason::parse("调整").expect("reason");
        let mut change =
            ownership::transfer(&o.manager, &state, &target, &reason, t0()).expect("allowed");
        change.expected_version += 1;
        assert!(matches!(
            s.apply_owner_change(&change).await,
            Err(StoreError::Stale)
        ));
        assert!(
            s.notifications(o.rep_b.user_id, false, 10)
                .await
                .expect("read")
                .is_empty()
        );
        change.expected_version -= 1;
        s.apply_owner_change(&change).await.expect("transfer");
        let got = s
            .notifications(o.rep_b.user_id, true, 10)
            .await
            .expect("read");
        assert_eq!(got.len(), 1, "{b:?}");
        assert_eq!(got[0].kind, "transferred_to");
        assert_eq!(got[0].param_map()["customer"], "南京恒达");
        assert_eq!(s.unread_count(o.rep_a.user_id).await.expect("count"), 1);
    }
}

#[tokio::test]
async fn collaborators_open_and_close_access() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("苏州恒润", "13700003333"), t0())
            .await
            .expect("create");
        assert!(
            s.customer_for(&o.other_manager, id)
                .await
                .expect("read")
                .is_none()
        );
        s.grant_collaborator(
            id,
            o.other_manager.user_id,
            CollaboratorAccess::Write,
            &o.rep_a,
            t0(),
        )
        .await
        .expect("grant");
        let view = s.customer_for(&o.other_manager, id).await.expect("read");
        assert_eq!(
            view.and_then(|v| v.collaborator),
            Some(CollaboratorAccess::Write)
        );
        s.remove_collaborator(id, o.other_manager.user_id, &o.rep_a, t0())
            .await
            .expect("remove");
        assert!(
            s.customer_for(&o.other_manager, id)
                .await
                .expect("read")
                .is_none()
        );
        assert!(matches!(
            s.remove_collaborator(id, o.other_manager.user_id, &o.rep_a, t0())
                .await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_kept_appeal_is_in_the_ledger_and_the_owner_keeps_their_protection() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("无锡恒通", "13700004444"), t0())
            .await
            .expect("create");
        let filed = s
            .file_appeal(id, &o.rep_b, Some("我先联系的"), &[], t0())
            .await
            .expect("file");
        // Filing again adds to the open appeal instead of opening a second one.
        let again = s
            .file_appeal(id, &o.rep_b, None, &[], t0())
            .await
            .expect("again");
        assert_eq!(filed, again, "{b:?}");
        let kinds: Vec<_> = s
            .notifications(o.manager.user_id, false, 10)
            .await
            .expect("read")
            .into_iter()
            .map(|n| n.kind)
            .collect();
        assert_eq!(kinds, ["appeal_filed"], "{b:?}");

        let a = s.appeal(filed).await.expect("read").expect("exists");
        let state = s.ownership_state(id).await.expect("state").expect("exists");
        let later = t0() + Duration::days(3);
        let change = appeal::decide(
            &o.manager,
            &state,
            o.rep_b.user_id,
            Decision::Keep,
            filed,
            later,
        )
        .expect("manager decides");
        let record = DecisionRecord {
            code: "keep",
            appellant_share: None,
            note: None,
        };
        s.decide_appeal(&a, &change, &record, &o.manager)
            .await
            .expect("decide");
        let after = s.ownership_state(id).await.expect("state").expect("exists");
        assert_eq!(after.owner_id, Some(o.rep_a.user_id), "{b:?}");
        assert_eq!(
            after.owner_since, state.owner_since,
            "protection not renewed: {b:?}"
        );
        let last = s.ledger(id).await.expect("ledger").pop().expect("event");
        assert_eq!(last.kind, LedgerKind::Appeal, "{b:?}");
        // A second decision of the same appeal loses.
        assert!(matches!(
            s.decide_appeal(&a, &change, &record, &o.manager).await,
            Err(StoreError::Stale)
        ));
    }
}
