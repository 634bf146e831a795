//! Pools: visibility by member team, release into the home pool, claim rules under
//! concurrency (daily limit, ownership cap), the re-claim ban, locks, the recycle preview.

use crate::support::*;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use futures::future::join_all;
use kehu_domain::Actor;
use kehu_domain::Role;
use kehu_domain::ids::{CustomerId, TeamId};
use kehu_domain::ownership::protection::ProtectionRules;
use kehu_domain::ownership::{self, Reason};
use kehu_domain::pool::{ClaimRefusal, PoolRules};
use kehu_store::customers::{ListQuery, Scope};
use kehu_store::pools::{NewPool, PoolRefusal};
use kehu_store::{Store, StoreError};
use kehu_testkit::BACKENDS;

fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("offset")
}

fn east(o: &Org) -> TeamId {
    o.rep_a.team_id.expect("team")
}

async fn pool(s: &Store, admin: &Actor, name: &str, teams: &[TeamId], rules: PoolRules) -> i64 {
    s.create_pool(
        admin,
        &NewPool {
            name: name.into(),
            rules,
            members: teams.to_vec(),
            whitelist: vec![],
        },
        t0(),
    )
    .await
    .expect("create pool")
}

/// `n` customers created by `owner` and released at `at` (into `owner`'s home pool).
async fn released(s: &Store, owner: &Actor, n: usize, at: DateTime<Utc>) -> Vec<CustomerId> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let phone = format!("1390{:07}", i + 100 * usize::from(owner.user_id.0 as u16));
        let id = s
            .create_customer(owner, &new_customer(&format!("客户{phone}"), &phone), at)
            .await
            .expect("create");
        let state = s.ownership_state(id).await.expect("state").expect("exists");
        let reason = Reason::parse("暂不跟进").expect("reason");
        let change = ownership::release(owner, &state, &reason, at).expect("release");
        s.apply_owner_change(&change).await.expect("apply");
        ids.push(id);
    }
    ids
}

fn pool_query() -> ListQuery {
    ListQuery {
        scope: Scope::Pool,
        q: None,
        before: None,
        limit: 200,
    }
}

async fn admin(o: &Org) -> Actor {
    let root = TeamId(1);
    user(&o.db.store, "admin", Role::Admin, root).await
}

#[tokio::test]
async fn a_teams_pool_is_seen_by_its_members_only() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let admin = admin(&o).await;
        let south = o.other_manager.team_id.expect("team");
        let rep_south = user(s, "rep_south", Role::Rep, south).await;
        let pid = pool(s, &admin, "华东公海", &[east(&o)], PoolRules::default()).await;
        let ids = released(s, &o.rep_a, 1, t0()).await;
        let view = s.customer_for(&o.rep_b, ids[0]).await.expect("read");
        let view = view.expect("华东 rep sees the 华东 pool customer");
        assert_eq!(
            view.place.pool_id,
            Some(pid),
            "{b:?}: released into 华东公海"
        );
        assert_eq!(view.place.pool_name.as_deref(), Some("华东公海"));
        assert!(
            s.customer_for(&rep_south, ids[0])
                .await
                .expect("read")
                .is_none(),
            "{b:?}: 华南 rep does not see the 华东 pool"
        );
        let south_pool = s
            .list_customers(&rep_south, &pool_query())
            .await
            .expect("list");
        assert!(south_pool.is_empty(), "{b:?}: nor in the pool list");
        assert_eq!(
            s.list_customers(&o.rep_b, &pool_query())
                .await
                .expect("list")
                .len(),
            1
        );
        assert_eq!(
            s.list_pool(&o.rep_b, pid, &pool_query())
                .await
                .expect("list")
                .len(),
            1
        );
        let names: Vec<String> = s
            .pools_open_to(&rep_south)
            .await
            .expect("pools")
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["公海"], "{b:?}: 华南 sees only the default pool");
        assert_eq!(s.pools_open_to(&o.rep_b).await.expect("pools").len(), 2);
        assert_eq!(s.pools_open_to(&admin).await.expect("pools").len(), 2);
        // A customer released by a 华南 rep goes to the default pool, open to everyone.
        let theirs = released(s, &rep_south, 1, t0()).await;
        let v = s
            .customer_for(&o.rep_a, theirs[0])
            .await
            .expect("read")
            .expect("open");
        assert_eq!(v.place.pool_name.as_deref(), Some("公海"), "{b:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_claims_with_a_daily_limit_of_five_give_exactly_five() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let admin = admin(&o).await;
        let mut rules = PoolRules::default();
        rules.claim.per_day = Some(5);
        pool(s, &admin, "华东公海", &[east(&o)], rules).await;
        let ids = released(s, &o.rep_a, 20, t0()).await;
        let now = t0() + Duration::minutes(5);
        let answers = join_all(
            ids.iter()
                .map(|id| s.claim_from_pool(&o.rep_b, *id, cst(), now)),
        )
        .await;
        let won = answers.iter().filter(|a| matches!(a, Ok(Ok(())))).count();
        assert_eq!(won, 5, "{b:?}: exactly five: {answers:?}");
        for a in answers.iter().filter(|a| !matches!(a, Ok(Ok(())))) {
            assert!(
                matches!(
                    a,
                    Err(StoreError::Refused(PoolRefusal::Claim {
                        refusal: ClaimRefusal::Limit {
                            period: "day",
                            limit: 5
                        },
                        claimed: 5
                    }))
                ),
                "{b:?}: refusals name the daily limit: {a:?}"
            );
        }
        // The next local day opens the window again.
        let tomorrow = t0() + Duration::days(1);
        let rest: Vec<_> = ids.iter().skip(5).copied().collect();
        let mut ok = 0;
        for id in rest {
            if let Ok(Ok(())) = s.claim_from_pool(&o.rep_b, id, cst(), tomorrow).await {
                ok += 1;
            }
        }
        assert_eq!(ok, 5, "{b:?}: five more the next day");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_ownership_cap_is_never_exceeded_by_claims_or_transfers() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let admin = admin(&o).await;
        let mut rules = PoolRules::default();
        rules.claim.ownership_cap = Some(3);
        pool(s, &admin, "华东公海", &[east(&o)], rules).await;
        let ids = released(s, &o.rep_a, 10, t0()).await;
        // rep_b owns one already.
        s.create_customer(&o.rep_b, &new_customer("已有客户", "13812340000"), t0())
            .await
            .expect("create");
        let now = t0() + Duration::minutes(1);
        let answers = join_all(
            ids.iter()
                .map(|id| s.claim_from_pool(&o.rep_b, *id, cst(), now)),
        )
        .await;
        assert_eq!(
            answers.iter().filter(|a| matches!(a, Ok(Ok(())))).count(),
            2,
            "{b:?}"
        );
        assert!(answers.iter().any(|a| matches!(
            a,
            Err(StoreError::Refused(PoolRefusal::Claim {
                refusal: ClaimRefusal::OwnershipCap { owned: 3, cap: 3 },
                ..
            }))
        )));
        assert_eq!(
            s.customers_owned_by(o.rep_b.user_id)
                .await
                .expect("owned")
                .len(),
            3
        );
        // A manager's transfer respects the cap too.
        let mine = s
            .create_customer(&o.rep_a, &new_customer("转交客户", "13812340001"), t0())
            .await
            .expect("create");
        let state = s
            .ownership_state(mine)
            .await
            .expect("state")
            .expect("exists");
        let target = s
            .transfer_target(o.rep_b.user_id)
            .await
            .expect("target")
            .expect("exists");
        let reason = Reason::parse("调整").expect("reason");
        let change = ownership::transfer(&o.manager, &state, &target, &reason, now).expect("ok");
        assert!(
            matches!(
                s.apply_owner_change(&change).await,
                Err(StoreError::Refused(PoolRefusal::Claim {
                    refusal: ClaimRefusal::OwnershipCap { .. },
                    ..
                }))
            ),
            "{b:?}"
        );
        assert_eq!(
            s.customers_owned_by(o.rep_b.user_id)
                .await
                .expect("owned")
                .len(),
            3
        );
    }
}

#[tokio::test]
async fn a_former_owner_waits_out_the_reclaim_ban() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let admin = admin(&o).await;
        let mut rules = PoolRules::default();
        rules.claim.reclaim_ban_days = 7;
        pool(s, &admin, "华东公海", &[east(&o)], rules).await;
        let ids = released(s, &o.rep_a, 1, t0()).await;
        // 华东公海 bans a former owner for 7 days.
        let refused = s
            .claim_from_pool(&o.rep_a, ids[0], cst(), t0() + Duration::days(6))
            .await;
        assert!(
            matches!(
                refused,
                Err(StoreError::Refused(PoolRefusal::Claim {
                    refusal: ClaimRefusal::ReclaimBanned { until },
                    ..
                })) if until == t0() + Duration::days(7)
            ),
            "{b:?}: {refused:?}"
        );
        let later = s
            .claim_from_pool(&o.rep_a, ids[0], cst(), t0() + Duration::days(7))
            .await;
        assert!(
            matches!(later, Ok(Ok(()))),
            "{b:?}: exactly at 7 days: {later:?}"
        );
        let view = s
            .customer_for(&o.rep_a, ids[0])
            .await
            .expect("read")
            .expect("own");
        assert_eq!(
            view.place.pool_id, None,
            "{b:?}: an owned customer is in no pool"
        );
    }
}

#[tokio::test]
async fn an_owner_locks_up_to_the_limit() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let admin = admin(&o).await;
        let rules = PoolRules {
            lock_limit: Some(1),
            ..PoolRules::default()
        };
        pool(s, &admin, "华东公海", &[east(&o)], rules).await;
        let a = s
            .create_customer(&o.rep_a, &new_customer("锁定一", "13812340002"), t0())
            .await
            .expect("create");
        let c2 = s
            .create_customer(&o.rep_a, &new_customer("锁定二", "13812340003"), t0())
            .await
            .expect("create");
        s.set_locked(o.rep_a.user_id, a, true, t0())
            .await
            .expect("lock");
        assert!(matches!(
            s.set_locked(o.rep_a.user_id, c2, true, t0()).await,
            Err(StoreError::Refused(PoolRefusal::LockLimit { limit: 1 }))
        ));
        assert!(
            matches!(
                s.set_locked(o.rep_b.user_id, c2, true, t0()).await,
                Err(StoreError::NotFound)
            ),
            "{b:?}: only the owner locks"
        );
        s.set_locked(o.rep_a.user_id, a, false, t0())
            .await
            .expect("unlock");
        s.set_locked(o.rep_a.user_id, c2, true, t0())
            .await
            .expect("lock");
        let v = s
            .customer_for(&o.rep_a, c2)
            .await
            .expect("read")
            .expect("own");
        assert!(v.place.locked, "{b:?}");
    }
}

#[tokio::test]
async fn the_preview_counts_what_a_stricter_rule_would_recycle() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let admin = admin(&o).await;
        let pid = pool(s, &admin, "华东公海", &[east(&o)], PoolRules::default()).await;
        for (i, rep) in [&o.rep_a, &o.rep_a, &o.rep_b].into_iter().enumerate() {
            s.create_customer(
                rep,
                &new_customer(&format!("旧客户{i}"), &format!("1381111000{i}")),
                t0(),
            )
            .await
            .expect("create");
        }
        let locked = s
            .create_customer(&o.rep_b, &new_customer("锁定客户", "13811119999"), t0())
            .await
            .expect("create");
        s.set_locked(o.rep_b.user_id, locked, true, t0())
            .await
            .expect("lock");
        let at = t0() + Duration::days(70);
        let protection = ProtectionRules::default();
        let now_rules = PoolRules::default();
        let p = s
            .recycle_preview(pid, &now_rules, &[], &protection, at)
            .await
            .expect("preview");
        assert_eq!(
            (p.customers.len(), p.reps),
            (3, 2),
            "{b:?}: 30 days, 70 days on"
        );
        let mut lax = PoolRules::default();
        lax.recycle.no_follow_up_days = Some(90);
        let p = s
            .recycle_preview(pid, &lax, &[], &protection, at)
            .await
            .expect("preview");
        assert_eq!(p.customers.len(), 0, "{b:?}");
        let p = s
            .recycle_preview(pid, &now_rules, &[o.rep_a.user_id.0], &protection, at)
            .await
            .expect("preview");
        assert_eq!(
            (p.customers.len(), p.reps),
            (1, 1),
            "{b:?}: whitelisted rep_a keeps theirs"
        );
    }
}
