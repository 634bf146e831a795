//! Identity keys and access requests.

use crate::support::*;
use kehu_store::StoreError;
use kehu_testkit::BACKENDS;

#[tokio::test]
async fn a_mobile_belongs_to_one_customer_even_under_concurrent_saves() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let first = s
            .create_customer(&o.rep_a, &new_customer("苏州华星精密", "13800138000"), t0())
            .await
            .expect("first");
        let err = s
            .create_customer(
                &o.rep_b,
                &new_customer("华星精密（苏州）", "+86 138-0013-8000"),
                t0(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Duplicate { field: "phone", existing } if existing == first),
            "{b:?}: {err:?}"
        );

        // Two reps press Save on one new mobile at the same moment: one wins.
        let (na, nb) = (
            new_customer("无锡新材", "13911112222"),
            new_customer("无锡新材料", "13911112222"),
        );
        let (x, y) = futures::join!(
            s.create_customer(&o.rep_a, &na, t0()),
            s.create_customer(&o.rep_b, &nb, t0())
        );
        let outcomes = [x.is_ok(), y.is_ok()];
        assert_eq!(
            outcomes.iter().filter(|ok| **ok).count(),
            1,
            "{b:?}: {x:?} {y:?}"
        );
        let loser = if x.is_ok() { y } else { x };
        assert!(
            matches!(loser, Err(StoreError::Duplicate { field: "phone", .. })),
            "{b:?}: {loser:?}"
        );

        // A shared switchboard (landline) is not a strong key: both save, both are listed.
        s.create_customer(&o.rep_a, &new_customer("常州永信", "0519-8888 6666"), t0())
            .await
            .expect("landline 1");
        s.create_customer(
            &o.rep_b,
            &new_customer("常州永信机械", "0519-88886666"),
            t0(),
        )
        .await
        .expect("landline 2");
        let key = kehu_domain::customer::keys::keys_of_new(&new_customer("x", "051988886666"));
        let hits = s.customers_sharing_keys(&key).await.expect("lookup");
        assert_eq!(hits.len(), 2, "{b:?}");
        assert!(
            hits.iter()
                .all(|h| !h.strong && h.masked_phone == "0519-****6666"),
            "{b:?}: {hits:?}"
        );

        // Changing a phone to one another customer holds is refused; the row is untouched.
        let before = s
            .customer_for(&o.rep_a, first)
            .await
            .expect("q")
            .expect("visible");
        let mut edited = before.customer.clone();
        edited.phone = kehu_domain::customer::Phone::parse("phone", "13911112222").expect("valid");
        let err = s
            .update_customer(&o.rep_a, &before, &edited, t0())
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Duplicate { field: "phone", .. }),
            "{b:?}: {err:?}"
        );
        let after = s
            .customer_for(&o.rep_a, first)
            .await
            .expect("q")
            .expect("visible");
        assert_eq!(after.customer.phone.e164(), "+8613800138000", "{b:?}");
        // …and a phone change to a free number moves the key with it.
        edited.phone = kehu_domain::customer::Phone::parse("phone", "13700007777").expect("valid");
        s.update_customer(&o.rep_a, &after, &edited, t0())
            .await
            .expect("free number");
        s.create_customer(&o.rep_b, &new_customer("新客户", "13800138000"), t0())
            .await
            .expect("old number is free again");
    }
}

#[tokio::test]
async fn asking_twice_for_collaboration_records_one_open_request() {
    use kehu_store::requests::RequestKind;
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("宁波联创", "13500002222"), t0())
            .await
            .expect("create");
        for _ in 0..2 {
            s.record_request(id, o.rep_b.user_id, RequestKind::Collaboration, None, t0())
                .await
                .expect("request");
        }
        s.record_request(
            id,
            o.rep_b.user_id,
            RequestKind::Appeal,
            Some("我先联系的"),
            t0(),
        )
        .await
        .expect("appeal");
        let open = s.open_requests(id).await.expect("list");
        let kinds: Vec<_> = open.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["collaboration", "appeal"], "{b:?}");
        assert_eq!(open[1].note.as_deref(), Some("我先联系的"));
        assert_eq!(open[0].requester_name, "rep_b");
    }
}

/// What the duplicate check reveals ids by: the same rules as opening the customer.
#[tokio::test]
async fn readable_among_follows_the_read_rules() {
    use kehu_domain::access::CollaboratorAccess;
    use std::collections::HashSet;
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let a = s
            .create_customer(&o.rep_a, &new_customer("苏州华星", "13800138001"), t0())
            .await
            .expect("a");
        let shared = s
            .create_customer(&o.rep_a, &new_customer("无锡新材", "13800138002"), t0())
            .await
            .expect("shared");
        s.add_collaborator(
            shared,
            o.rep_b.user_id,
            CollaboratorAccess::Read,
            o.rep_a.user_id,
            t0(),
        )
        .await
        .expect("grant");
        let both = [a, shared, kehu_domain::ids::CustomerId(999_999)];
        let readable = |who| async move { s.readable_among(who, &both).await.expect("read") };
        assert_eq!(
            readable(&o.rep_a).await,
            HashSet::from([a, shared]),
            "{b:?}: owner"
        );
        assert_eq!(
            readable(&o.rep_b).await,
            HashSet::from([shared]),
            "{b:?}: collaborator"
        );
        assert_eq!(
            readable(&o.manager).await,
            HashSet::from([a, shared]),
            "{b:?}: manager"
        );
        assert_eq!(
            readable(&o.other_manager).await,
            HashSet::new(),
            "{b:?}: other team"
        );
    }
}
