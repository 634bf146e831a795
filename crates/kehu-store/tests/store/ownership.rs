//! Owner changes: the ledger, compare-and-set, concurrent claims.

use crate::support::*;
use chrono::Duration;
use kehu_domain::Role;
use kehu_domain::access::Visibility;
use kehu_domain::ids::TeamId;
use kehu_domain::ownership::{self, LedgerKind, Reason};
use kehu_store::StoreError;
use kehu_store::customers::{ListQuery, Scope};
use kehu_testkit::BACKENDS;

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
