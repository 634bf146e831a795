//! Creating, reading through the access filter, listing, editing.

use crate::support::*;
use kehu_domain::Role;
use kehu_domain::access::Visibility;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::LedgerKind;
use kehu_store::customers::{ListQuery, Scope};
use kehu_store::{NewUser, StoreError};
use kehu_testkit::{BACKENDS, TestDb};

#[tokio::test]
async fn created_customer_is_owned_with_a_create_event() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("苏州华星精密", "13800138000"), t0())
            .await
            .expect("create");
        let view = s
            .customer_for(&o.rep_a, id)
            .await
            .expect("load")
            .expect("visible");
        assert_eq!(view.customer.owner_id, Some(o.rep_a.user_id), "{b:?}");
        assert_eq!(
            view.customer.owner_since,
            t0(),
            "{b:?}: timestamps round-trip"
        );
        assert_eq!(view.visibility, Visibility::Full);
        let ledger = s.ledger(id).await.expect("ledger");
        assert_eq!(ledger.len(), 1, "{b:?}");
        assert_eq!(
            (
                ledger[0].kind,
                ledger[0].to_name.as_deref(),
                ledger[0].by_name.as_str()
            ),
            (LedgerKind::Create, Some("rep_a"), "rep_a")
        );
    }
}

#[tokio::test]
async fn other_reps_cannot_read_but_their_manager_can() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("杭州云帆科技", "13900001111"), t0())
            .await
            .expect("create");
        assert!(
            s.customer_for(&o.rep_b, id).await.expect("query").is_none(),
            "{b:?}: colleague sees nothing"
        );
        assert!(
            s.customer_for(&o.other_manager, id)
                .await
                .expect("query")
                .is_none(),
            "{b:?}: other subtree"
        );
        assert!(
            s.customer_for(&o.rep_a, CustomerId(id.0 + 999))
                .await
                .expect("query")
                .is_none()
        );
        let m = s
            .customer_for(&o.manager, id)
            .await
            .expect("query")
            .expect("manager sees");
        assert_eq!(m.visibility, Visibility::Full);
        let team = s
            .list_customers(
                &o.manager,
                &ListQuery {
                    scope: Scope::Team,
                    q: None,
                    before: None,
                    limit: 50,
                },
            )
            .await
            .expect("list");
        assert_eq!(team.len(), 1, "{b:?}");
        let rep_team = s
            .list_customers(
                &o.rep_b,
                &ListQuery {
                    scope: Scope::Team,
                    q: None,
                    before: None,
                    limit: 50,
                },
            )
            .await
            .expect("list");
        assert!(rep_team.is_empty(), "{b:?}: reps have no team scope");
        s.add_collaborator(
            id,
            o.rep_b.user_id,
            kehu_domain::access::CollaboratorAccess::Read,
            o.rep_a.user_id,
            t0(),
        )
        .await
        .expect("share");
        let shared = s
            .customer_for(&o.rep_b, id)
            .await
            .expect("query")
            .expect("shared now");
        assert_eq!(shared.visibility, Visibility::Full, "{b:?}");
    }
}

#[tokio::test]
async fn edits_are_audited_and_stale_edits_refused() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("常州永信", "13500001111"), t0())
            .await
            .expect("create");
        let before = s
            .customer_for(&o.rep_a, id)
            .await
            .expect("q")
            .expect("visible");
        let mut edited = before.customer.clone();
        edited.city = Some("常州".into());
        edited.name = "常州永信机械".into();
        assert_eq!(
            s.update_customer(&o.rep_a, &before, &edited, t0())
                .await
                .expect("update"),
            2
        );
        assert!(
            matches!(
                s.update_customer(&o.rep_a, &before, &edited, t0()).await,
                Err(StoreError::Stale)
            ),
            "{b:?}"
        );
        let audit = s.customer_audit(id).await.expect("audit");
        let fields: Vec<_> = audit.iter().map(|a| a.field.as_str()).collect();
        assert!(
            fields.contains(&"city") && fields.contains(&"name"),
            "{b:?}: {fields:?}"
        );
        let after = s
            .customer_for(&o.rep_a, id)
            .await
            .expect("q")
            .expect("visible");
        let found = s
            .list_customers(
                &o.rep_a,
                &ListQuery {
                    scope: Scope::Mine,
                    q: Some("永信机械".into()),
                    before: None,
                    limit: 10,
                },
            )
            .await
            .expect("list");
        assert_eq!(found.len(), 1);
        assert_eq!(after.customer.city.as_deref(), Some("常州"));
    }
}

#[tokio::test]
async fn duplicate_login_is_a_conflict_naming_the_field() {
    for b in BACKENDS {
        let db = TestDb::new(b).await;
        let u = NewUser {
            login: "zhang",
            name: "张三",
            role: Role::Rep,
            team_id: None,
            password_hash: "x",
        };
        db.store.create_user(&u, t0()).await.expect("first");
        let err = db.store.create_user(&u, t0()).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { what: "login" }),
            "{b:?}: {err:?}"
        );
        let _ = UserId(0);
    }
}

#[tokio::test]
async fn search_wildcards_match_literally_and_pages_do_not_overlap() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        for i in 0..5 {
            s.create_customer(
                &o.rep_a,
                &new_customer(&format!("客户{i}"), &format!("1380000000{i}")),
                t0(),
            )
            .await
            .expect("create");
        }
        s.create_customer(&o.rep_a, &new_customer("100%_好", "13900000009"), t0())
            .await
            .expect("create");
        let q = |q: &str| ListQuery {
            scope: Scope::Mine,
            q: Some(q.into()),
            before: None,
            limit: 50,
        };
        assert_eq!(
            s.list_customers(&o.rep_a, &q("%")).await.expect("l").len(),
            1,
            "{b:?}"
        );
        assert_eq!(
            s.list_customers(&o.rep_a, &q("_")).await.expect("l").len(),
            1,
            "{b:?}"
        );
        let page1 = s
            .list_customers(
                &o.rep_a,
                &ListQuery {
                    scope: Scope::Mine,
                    q: None,
                    before: None,
                    limit: 4,
                },
            )
            .await
            .expect("l");
        let last = page1.last().expect("some").customer.id.0;
        let page2 = s
            .list_customers(
                &o.rep_a,
                &ListQuery {
                    scope: Scope::Mine,
                    q: None,
                    before: Some(last),
                    limit: 4,
                },
            )
            .await
            .expect("l");
        assert_eq!((page1.len(), page2.len()), (4, 2), "{b:?}");
        assert!(page2.iter().all(|v| v.customer.id.0 < last));
    }
}
