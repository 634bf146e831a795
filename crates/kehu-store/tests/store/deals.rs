//! Deals and the customer projections the pool rules read: open deals, won, lost, progress.

use crate::support::*;
use chrono::Duration;
use kehu_domain::deal::{DealInput, NewDeal, Stage, StageInput, move_stage};
use kehu_domain::ids::CustomerId;
use kehu_store::deals::DealSummary;
use kehu_store::{Store, StoreError};
use kehu_testkit::BACKENDS;

fn deal(title: &str, amount: &str) -> NewDeal {
    NewDeal::parse(&DealInput {
        title: Some(title.into()),
        amount: Some(amount.into()),
        ..DealInput::default()
    })
    .expect("valid")
}

fn to(stage: &str, reason: Option<&str>) -> StageInput {
    StageInput {
        stage: Some(stage.into()),
        lost_reason: reason.map(Into::into),
    }
}

async fn summary(s: &Store, id: CustomerId) -> DealSummary {
    s.deal_summary(id).await.expect("summary")
}

#[tokio::test]
async fn deal_writes_keep_the_customer_projections_in_step() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let rep = &o.rep_a;
        let id = s
            .create_customer(rep, &new_customer("苏州华星精密", "13800138000"), t0())
            .await
            .expect("create");
        let day = |n| t0() + Duration::days(n);
        let none = DealSummary {
            open_deals: 0,
            won_at: None,
            deal_lost_at: None,
            last_progress_at: None,
        };
        assert_eq!(summary(s, id).await, none, "{b:?}");

        // Created: one open deal, progress now.
        let first = s
            .create_deal(rep, id, &deal("2027 年度维保", "80000.5"), day(1))
            .await
            .expect("create deal");
        let after = summary(s, id).await;
        assert_eq!(
            (after.open_deals, after.last_progress_at),
            (1, Some(day(1))),
            "{b:?}"
        );

        // A stage move is progress; won closes it and marks the customer won.
        let mv = move_stage(Stage::Contact, &to("proposal", None)).expect("move");
        s.move_deal(rep, id, first, &mv, day(2))
            .await
            .expect("move");
        assert_eq!(summary(s, id).await.last_progress_at, Some(day(2)), "{b:?}");
        let won = move_stage(Stage::Proposal, &to("won", None)).expect("won");
        s.move_deal(rep, id, first, &won, day(3))
            .await
            .expect("win");
        assert_eq!(
            summary(s, id).await,
            DealSummary {
                open_deals: 0,
                won_at: Some(day(3)),
                deal_lost_at: None,
                last_progress_at: Some(day(3)),
            },
            "{b:?}"
        );
        // A closed deal does not move again: the compare-and-set on its stage refuses.
        let late = move_stage(Stage::Proposal, &to("lost", Some("价格"))).expect("judged");
        assert!(
            matches!(
                s.move_deal(rep, id, first, &late, day(3)).await,
                Err(StoreError::Stale)
            ),
            "{b:?}"
        );

        // Lost, with no other open deal: the customer's last loss; won_at stays the first win.
        let second = s
            .create_deal(rep, id, &deal("二期扩容", ""), day(4))
            .await
            .expect("create");
        let lost = move_stage(Stage::Contact, &to("lost", Some("预算取消"))).expect("lost");
        s.move_deal(rep, id, second, &lost, day(5))
            .await
            .expect("lose");
        let after = summary(s, id).await;
        assert_eq!(
            (after.open_deals, after.won_at, after.deal_lost_at),
            (0, Some(day(3)), Some(day(5))),
            "{b:?}"
        );

        // A new open deal clears the loss; losing one of two open deals leaves it clear.
        let third = s
            .create_deal(rep, id, &deal("三期", ""), day(6))
            .await
            .expect("create");
        s.create_deal(rep, id, &deal("四期", ""), day(6))
            .await
            .expect("create");
        let after = summary(s, id).await;
        assert_eq!((after.open_deals, after.deal_lost_at), (2, None), "{b:?}");
        s.move_deal(rep, id, third, &lost, day(7))
            .await
            .expect("lose");
        let after = summary(s, id).await;
        assert_eq!((after.open_deals, after.deal_lost_at), (1, None), "{b:?}");

        // The history and the audit log hold every step.
        let history = s.deal_events(id).await.expect("history");
        assert_eq!(history.len(), 8, "{b:?}: {history:?}");
        assert_eq!(
            (
                history[0].from_stage.as_deref(),
                history[0].to_stage.as_str(),
                history[0].reason.as_deref()
            ),
            (Some("contact"), "lost", Some("预算取消")),
            "{b:?}"
        );
        let deals = s.deals(id).await.expect("deals");
        let shown: Vec<_> = deals
            .iter()
            .map(|d| (d.title.as_str(), d.stage.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("四期", "contact"),
                ("三期", "lost"),
                ("二期扩容", "lost"),
                ("2027 年度维保", "won")
            ],
            "{b:?}: open first, then newest"
        );
        assert_eq!(
            deals[3].amount().map(|a| a.to_string()),
            Some("80000.50".to_owned())
        );
        assert_eq!(deals[3].closed_at, Some(day(3)), "{b:?}");
    }
}

#[tokio::test]
async fn a_deal_is_only_found_on_its_own_customer() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let mine = s
            .create_customer(&o.rep_a, &new_customer("常州永信机械", "13800138001"), t0())
            .await
            .expect("create");
        let theirs = s
            .create_customer(&o.rep_b, &new_customer("无锡恒达电子", "13800138002"), t0())
            .await
            .expect("create");
        let d = s
            .create_deal(&o.rep_b, theirs, &deal("设备", ""), t0())
            .await
            .expect("deal");
        assert!(s.deal(theirs, d).await.expect("q").is_some(), "{b:?}");
        assert!(s.deal(mine, d).await.expect("q").is_none(), "{b:?}");
        let mv = move_stage(Stage::Contact, &to("won", None)).expect("won");
        assert!(
            s.move_deal(&o.rep_a, mine, d, &mv, t0()).await.is_err(),
            "{b:?}"
        );
        assert_eq!(
            s.deal_summary(theirs).await.expect("q").open_deals,
            1,
            "{b:?}"
        );
    }
}

/// `cap_counts_won` decides whether a won customer takes a place under the ownership cap.
#[tokio::test]
async fn won_customers_count_toward_the_cap_only_when_the_pool_says_so() {
    use chrono::FixedOffset;
    use kehu_domain::Role;
    use kehu_domain::ids::TeamId;
    use kehu_domain::ownership::{self, Reason};
    use kehu_domain::pool::{ClaimRefusal, PoolRules};
    use kehu_store::pools::{NewPool, PoolRefusal};

    let cst = FixedOffset::east_opt(8 * 3600).expect("offset");
    for b in BACKENDS {
        for counts_won in [false, true] {
            let o = org(b).await;
            let s = &o.db.store;
            let admin = user(s, "admin", Role::Admin, TeamId(1)).await;
            let mut rules = PoolRules::default();
            rules.claim.ownership_cap = Some(2);
            rules.claim.cap_counts_won = counts_won;
            let east = o.rep_a.team_id.expect("team");
            let pool = NewPool {
                name: "华东公海".into(),
                rules,
                members: vec![east],
                whitelist: vec![],
            };
            s.create_pool(&admin, &pool, t0()).await.expect("pool");
            // rep_b owns two customers, one of them won.
            for (i, phone) in ["13812340000", "13812340001"].into_iter().enumerate() {
                let id = s
                    .create_customer(&o.rep_b, &new_customer(&format!("已有{i}"), phone), t0())
                    .await
                    .expect("create");
                if i == 0 {
                    let d = s
                        .create_deal(&o.rep_b, id, &deal("设备", "100"), t0())
                        .await;
                    let won = move_stage(Stage::Contact, &to("won", None)).expect("won");
                    s.move_deal(&o.rep_b, id, d.expect("deal"), &won, t0())
                        .await
                        .expect("win");
                }
            }
            // Two pool customers released by rep_a.
            let mut pooled = Vec::new();
            for phone in ["13912340000", "13912340001"] {
                let id = s
                    .create_customer(
                        &o.rep_a,
                        &new_customer(&format!("公海{phone}"), phone),
                        t0(),
                    )
                    .await
                    .expect("create");
                let state = s.ownership_state(id).await.expect("q").expect("exists");
                let reason = Reason::parse("暂不跟进").expect("reason");
                let change = ownership::release(&o.rep_a, &state, &reason, t0()).expect("release");
                s.apply_owner_change(&change).await.expect("apply");
                pooled.push(id);
            }
            let now = t0() + Duration::minutes(1);
            let first = s.claim_from_pool(&o.rep_b, pooled[0], cst, now).await;
            let refused = |r: &Result<Result<(), _>, StoreError>, owned| {
                matches!(
                    r,
                    Err(StoreError::Refused(PoolRefusal::Claim {
                        refusal: ClaimRefusal::OwnershipCap { owned: o, cap: 2 },
                        ..
                    })) if *o == owned
                )
            };
            if counts_won {
                assert!(refused(&first, 2), "{b:?}: {first:?}");
            } else {
                // The won customer leaves a place free: one claim, then the cap holds.
                assert!(matches!(first, Ok(Ok(()))), "{b:?}: {first:?}");
                let second = s.claim_from_pool(&o.rep_b, pooled[1], cst, now).await;
                assert!(refused(&second, 2), "{b:?}: {second:?}");
            }
        }
    }
}

/// Ten people closing one deal at once: exactly one move lands, and the customer's count of
/// open deals drops once.
#[tokio::test]
async fn concurrent_closes_of_one_deal_land_once() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let id = s
            .create_customer(&o.rep_a, &new_customer("南通瑞丰纺织", "13800138003"), t0())
            .await
            .expect("create");
        let d = s
            .create_deal(&o.rep_a, id, &deal("设备", ""), t0())
            .await
            .expect("deal");
        let won = move_stage(Stage::Contact, &to("won", None)).expect("won");
        let lost = move_stage(Stage::Contact, &to("lost", Some("价格"))).expect("lost");
        let moves = (0..10).map(|i| {
            let mv = if i % 2 == 0 { &won } else { &lost };
            s.move_deal(&o.manager, id, d, mv, t0() + Duration::minutes(1))
        });
        let answers = futures::future::join_all(moves).await;
        let landed = answers.iter().filter(|a| a.is_ok()).count();
        assert_eq!(landed, 1, "{b:?}: {answers:?}");
        assert!(
            answers
                .iter()
                .all(|a| a.is_ok() || matches!(a, Err(StoreError::Stale))),
            "{b:?}: {answers:?}"
        );
        assert_eq!(summary(s, id).await.open_deals, 0, "{b:?}");
        assert_eq!(s.deal_events(id).await.expect("history").len(), 2, "{b:?}");
    }
}
