//! Store tests, each run on SQLite and on PostgreSQL.

use chrono::FixedOffset;
use chrono::{DateTime, Duration, TimeZone, Utc};
use kehu_domain::access::Visibility;
use kehu_domain::customer::{CustomerInput, NewCustomer};
use kehu_domain::ids::{CustomerId, TeamId, UserId};
use kehu_domain::ownership::{self, LedgerKind, Reason};
use kehu_domain::{Actor, Role};
use kehu_store::customers::{ListQuery, Scope};
use kehu_store::{NewUser, Store, StoreError};
use kehu_testkit::{BACKENDS, TestDb};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0)
        .single()
        .expect("valid")
}

struct Org {
    db: TestDb,
    rep_a: Actor,
    rep_b: Actor,
    manager: Actor,
    other_manager: Actor,
}

async fn user(store: &Store, login: &str, role: Role, team: TeamId) -> Actor {
    let id = store
        .create_user(
            &NewUser {
                login,
                name: login,
                role,
                team_id: Some(team),
                password_hash: "x",
            },
            t0(),
        )
        .await
        .expect("create user");
    store.actor(id).await.expect("load").expect("active")
}

async fn org(backend: kehu_testkit::Backend) -> Org {
    let db = TestDb::new(backend).await;
    let s = &db.store;
    let root = s.create_team("总部", None, t0()).await.expect("team");
    let east = s.create_team("华东", Some(root), t0()).await.expect("team");
    let south = s.create_team("华南", Some(root), t0()).await.expect("team");
    let rep_a = user(s, "rep_a", Role::Rep, east).await;
    let rep_b = user(s, "rep_b", Role::Rep, east).await;
    let manager = user(s, "mgr_east", Role::Manager, east).await;
    let other_manager = user(s, "mgr_south", Role::Manager, south).await;
    Org {
        db,
        rep_a,
        rep_b,
        manager,
        other_manager,
    }
}

fn new_customer(name: &str, phone: &str) -> NewCustomer {
    let input = CustomerInput {
        name: Some(name.into()),
        phone: Some(phone.into()),
        source: Some("web".into()),
        ..Default::default()
    };
    NewCustomer::parse(&input, FixedOffset::east_opt(8 * 3600).expect("offset")).expect("valid")
}

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
async fn release_then_claim_moves_owner_and_appends_ledger() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("南京恒达", "13700001111"), t0())
            .await
            .expect("create");
        let state = s.ownership_state(id).await.expect("state").expect("exists");
        let reason = Reason::parse("预算不足，暂不跟进").expect("reason");
        let rel = ownership::release(&o.rep_a, &state, &reason, t0() + Duration::days(1))
            .expect("allowed");
        s.apply_owner_change(&rel).await.expect("release");
        let pool = s
            .list_customers(
                &o.rep_b,
                &ListQuery {
                    scope: Scope::Pool,
                    q: Some("恒达".into()),
                    before: None,
                    limit: 50,
                },
            )
            .await
            .expect("pool");
        assert_eq!(pool.len(), 1, "{b:?}");
        assert_eq!(pool[0].visibility, Visibility::Masked);
        let state = s.ownership_state(id).await.expect("state").expect("exists");
        let claim =
            ownership::claim(&o.rep_b, &state, t0() + Duration::days(2)).expect("claimable");
        s.apply_owner_change(&claim).await.expect("claim");
        // The same decision applied twice loses the compare-and-set: exactly one winner.
        assert!(
            matches!(s.apply_owner_change(&claim).await, Err(StoreError::Stale)),
            "{b:?}"
        );
        let ledger = s.ledger(id).await.expect("ledger");
        let kinds: Vec<_> = ledger.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [LedgerKind::Create, LedgerKind::Release, LedgerKind::Claim],
            "{b:?}"
        );
        assert_eq!(ledger[1].reason.as_deref(), Some("预算不足，暂不跟进"));
        let at = |d| t0() + Duration::days(d) + Duration::hours(1);
        let owner = |e: Option<kehu_domain::ownership::LedgerEntry>| e.and_then(|e| e.to_user);
        assert_eq!(
            owner(s.ledger_at(id, at(0)).await.expect("q")),
            Some(o.rep_a.user_id)
        );
        assert_eq!(owner(s.ledger_at(id, at(1)).await.expect("q")), None);
        assert_eq!(
            owner(s.ledger_at(id, at(2)).await.expect("q")),
            Some(o.rep_b.user_id)
        );
        assert!(
            s.ledger_at(id, t0() - Duration::days(1))
                .await
                .expect("q")
                .is_none()
        );
    }
}

#[tokio::test]
async fn concurrent_claims_have_exactly_one_winner() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("无锡新材", "13600001111"), t0())
            .await
            .expect("create");
        let state = s.ownership_state(id).await.expect("state").expect("exists");
        let rel = ownership::release(&o.rep_a, &state, &Reason::parse("退回").expect("r"), t0())
            .expect("ok");
        s.apply_owner_change(&rel).await.expect("release");
        let mut claimers = Vec::new();
        for i in 0..20 {
            let login = format!("racer{i}");
            let team = TeamId(o.rep_a.team_id.expect("team").0);
            claimers.push(user(s, &login, Role::Rep, team).await);
        }
        let state = s.ownership_state(id).await.expect("state").expect("exists");
        let results = futures::future::join_all(claimers.iter().map(|a| {
            let change = ownership::claim(a, &state, t0() + Duration::hours(1)).expect("claimable");
            async move { s.apply_owner_change(&change).await }
        }))
        .await;
        let wins = results.iter().filter(|r| r.is_ok()).count();
        let stale = results
            .iter()
            .filter(|r| matches!(r, Err(StoreError::Stale)))
            .count();
        assert_eq!((wins, stale), (1, 19), "{b:?}: {results:?}");
        let claims = s
            .ledger(id)
            .await
            .expect("ledger")
            .into_iter()
            .filter(|e| e.kind == LedgerKind::Claim)
            .count();
        assert_eq!(claims, 1, "{b:?}");
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
