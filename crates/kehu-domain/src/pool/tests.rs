use super::*;
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use proptest::prelude::*;

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
        .single()
        .expect("t")
        + Duration::days(n)
}

fn facts() -> RecycleFacts {
    RecycleFacts {
        owner_since: day(0),
        last_effective_follow_up: None,
        last_progress: None,
        deal_lost_at: None,
        won: false,
        open_deal: false,
        locked: false,
        whitelisted: false,
        protected_until: day(0),
        leave: Vec::new(),
    }
}

#[test]
fn recycled_exactly_n_days_after_the_last_effective_follow_up() {
    let rule = RecycleRule::default();
    let f = RecycleFacts {
        last_effective_follow_up: Some(day(5)),
        ..facts()
    };
    let cause = RecycleCause::NoFollowUp {
        days: 30,
        since: day(5),
    };
    assert_eq!(
        judge(&rule, &f, day(35) - Duration::seconds(1)),
        RecycleVerdict::Warn {
            cause,
            due: day(35)
        }
    );
    assert_eq!(
        judge(&rule, &f, day(35)),
        RecycleVerdict::Recycle {
            cause,
            due: day(35)
        }
    );
}

#[test]
fn the_warning_starts_k_days_before() {
    let rule = RecycleRule::default();
    assert_eq!(
        judge(&rule, &facts(), day(27) - Duration::seconds(1)),
        RecycleVerdict::Keep {
            next: Some(day(30))
        }
    );
    assert!(matches!(
        judge(&rule, &facts(), day(27)),
        RecycleVerdict::Warn { .. }
    ));
}

#[test]
fn leave_pauses_the_clock() {
    let f = RecycleFacts {
        leave: vec![Leave {
            from: day(10),
            until: day(20),
        }],
        ..facts()
    };
    let rule = RecycleRule::default();
    assert!(matches!(
        judge(&rule, &f, day(35)),
        RecycleVerdict::Keep { next: Some(d) } if d == day(40)
    ));
    assert!(matches!(
        judge(&rule, &f, day(40)),
        RecycleVerdict::Recycle { .. }
    ));
}

#[test]
fn protection_postpones_a_due_recycle() {
    let f = RecycleFacts {
        protected_until: day(45),
        ..facts()
    };
    let v = judge(&RecycleRule::default(), &f, day(44));
    assert!(matches!(v, RecycleVerdict::Warn { due, .. } if due == day(45)));
}

#[test]
fn exemptions_win_over_any_rule() {
    let rule = RecycleRule::default();
    let cases = [
        (
            RecycleFacts {
                locked: true,
                ..facts()
            },
            Exemption::Locked,
        ),
        (
            RecycleFacts {
                whitelisted: true,
                ..facts()
            },
            Exemption::Whitelisted,
        ),
        (
            RecycleFacts {
                won: true,
                ..facts()
            },
            Exemption::Won,
        ),
        (
            RecycleFacts {
                open_deal: true,
                ..facts()
            },
            Exemption::OpenDeal,
        ),
    ];
    for (f, why) in cases {
        assert_eq!(judge(&rule, &f, day(400)), RecycleVerdict::Exempt { why });
    }
    let no_exempt = RecycleRule {
        exempt_won: false,
        ..rule
    };
    let won = RecycleFacts {
        won: true,
        ..facts()
    };
    assert!(matches!(
        judge(&no_exempt, &won, day(400)),
        RecycleVerdict::Recycle { .. }
    ));
}

#[test]
fn the_earliest_cause_is_the_one_reported() {
    let rule = RecycleRule {
        no_progress_days: Some(20),
        on_deal_lost: true,
        ..RecycleRule::default()
    };
    let f = RecycleFacts {
        deal_lost_at: Some(day(12)),
        ..facts()
    };
    assert_eq!(
        judge(&rule, &f, day(13)),
        RecycleVerdict::Recycle {
            cause: RecycleCause::DealLost { at: day(12) },
            due: day(12)
        }
    );
    let rule = RecycleRule {
        on_deal_lost: false,
        ..rule
    };
    assert!(matches!(
        judge(&rule, &f, day(21)),
        RecycleVerdict::Recycle {
            cause: RecycleCause::NoProgress { days: 20, .. },
            ..
        }
    ));
}

#[test]
fn no_rule_keeps_forever() {
    let rule = RecycleRule {
        no_follow_up_days: None,
        ..RecycleRule::default()
    };
    assert_eq!(
        judge(&rule, &facts(), day(4000)),
        RecycleVerdict::Keep { next: None }
    );
}

fn limits() -> ClaimLimits {
    ClaimLimits {
        per_day: Some(5),
        per_week: Some(20),
        per_month: Some(50),
        ownership_cap: Some(100),
        cap_counts_won: false,
        reclaim_ban_days: 7,
    }
}

#[test]
fn the_daily_limit_refuses_the_sixth_claim() {
    let mut f = ClaimFacts {
        claimed: [4, 4, 4],
        ..ClaimFacts::default()
    };
    assert_eq!(limits().check(&f, day(0)), Ok(()));
    f.claimed = [5, 5, 5];
    assert_eq!(
        limits().check(&f, day(0)),
        Err(ClaimRefusal::Limit {
            period: "day",
            limit: 5
        })
    );
    f.claimed = [0, 20, 20];
    assert!(matches!(
        limits().check(&f, day(0)),
        Err(ClaimRefusal::Limit { period: "week", .. })
    ));
}

#[test]
fn won_customers_count_toward_the_cap_only_when_switched_on() {
    let f = ClaimFacts {
        owned: 105,
        owned_won: 10,
        ..ClaimFacts::default()
    };
    assert_eq!(limits().check(&f, day(0)), Ok(()));
    let counting = ClaimLimits {
        cap_counts_won: true,
        ..limits()
    };
    assert_eq!(
        counting.check(&f, day(0)),
        Err(ClaimRefusal::OwnershipCap {
            owned: 105,
            cap: 100
        })
    );
}

#[test]
fn the_reclaim_ban_ends_exactly_after_n_days() {
    let f = ClaimFacts {
        lost_at: Some(day(0)),
        ..ClaimFacts::default()
    };
    assert_eq!(
        limits().check(&f, day(7) - Duration::seconds(1)),
        Err(ClaimRefusal::ReclaimBanned { until: day(7) })
    );
    assert_eq!(limits().check(&f, day(7)), Ok(()));
}

#[test]
fn claim_windows_follow_the_local_calendar() {
    let cst = FixedOffset::east_opt(8 * 3600).expect("offset");
    // 2026-10-07 is a Wednesday; 01:00 there is still 10-06 17:00 UTC.
    let now = cst
        .with_ymd_and_hms(2026, 10, 7, 1, 0, 0)
        .single()
        .expect("t")
        .with_timezone(&Utc);
    let local = |y, m, d| {
        cst.with_ymd_and_hms(y, m, d, 0, 0, 0)
            .single()
            .expect("t")
            .with_timezone(&Utc)
    };
    assert_eq!(
        ClaimLimits::windows(now, cst),
        [local(2026, 10, 7), local(2026, 10, 5), local(2026, 10, 1)]
    );
}

proptest! {
    #[test]
    fn never_recycled_before_protection_ends_nor_while_exempt(
        last in proptest::option::of(0i64..100),
        protected in 0i64..100,
        now in 0i64..200,
        locked in any::<bool>(),
    ) {
        let f = RecycleFacts {
            last_effective_follow_up: last.map(day),
            protected_until: day(protected),
            locked,
            ..facts()
        };
        let v = judge(&RecycleRule::default(), &f, day(now));
        if let RecycleVerdict::Recycle { due, .. } = v {
            prop_assert!(!locked);
            prop_assert!(day(now) >= day(protected));
            prop_assert!(due <= day(now));
        }
    }
}

proptest! {
    #[test]
    fn the_due_filter_never_drops_a_customer_the_judge_would_act_on(
        owned in 0i64..60,
        last in proptest::option::of(0i64..100),
        progress in proptest::option::of(0i64..100),
        lost in proptest::option::of(0i64..100),
        protected in 0i64..100,
        leave in proptest::option::of((0i64..100, 0i64..30)),
        follow_up_days in proptest::option::of(1u32..60),
        progress_days in proptest::option::of(1u32..60),
        warn in 0u32..70,
        on_deal_lost in any::<bool>(),
        locked in any::<bool>(),
        now in 0i64..200,
    ) {
        let rule = RecycleRule {
            no_follow_up_days: follow_up_days,
            no_progress_days: progress_days,
            on_deal_lost,
            warn_days: warn,
            exempt_won: false,
            exempt_open_deal: false,
        };
        let f = RecycleFacts {
            owner_since: day(owned),
            last_effective_follow_up: last.map(day),
            last_progress: progress.map(day),
            deal_lost_at: lost.map(day),
            locked,
            protected_until: day(protected),
            leave: leave
                .map(|(from, len)| Leave { from: day(from), until: day(from + len) })
                .into_iter()
                .collect(),
            ..facts()
        };
        let filter = DueFilter::of([&RecycleRule::default(), &rule], day(now));
        let v = judge(&rule, &f, day(now));
        if matches!(v, RecycleVerdict::Recycle { .. } | RecycleVerdict::Warn { .. }) {
            prop_assert!(filter.may_be_due(&f), "{v:?} dropped by {filter:?}");
        }
    }
}

#[test]
fn the_due_filter_drops_a_customer_followed_up_recently() {
    let now = day(40);
    let filter = DueFilter::of(PoolRules::default().recycle_rules(), now);
    // Default rule: 30 days, warned 3 before, so a clock started after day 13 is not due.
    assert_eq!(filter.follow_up_since, Some(day(13)));
    let recent = RecycleFacts {
        last_effective_follow_up: Some(day(14)),
        ..facts()
    };
    assert!(!filter.may_be_due(&recent));
    let warned = RecycleFacts {
        last_effective_follow_up: Some(day(13)),
        ..facts()
    };
    assert!(filter.may_be_due(&warned));
    assert!(matches!(
        judge(&RecycleRule::default(), &warned, now),
        RecycleVerdict::Warn { .. }
    ));
}

#[test]
fn a_recycle_is_by_the_system_and_records_its_rule_and_pool() {
    use crate::ids::{CustomerId, UserId};
    use crate::ownership::{LedgerKind, OwnershipError, OwnershipState};
    let owned = OwnershipState {
        customer_id: CustomerId(7),
        owner_id: Some(UserId(3)),
        owner_name: Some("张伟".into()),
        owner_team_path: Some("/1/2/".into()),
        owner_since: day(0),
        version: 4,
    };
    let record = RecycleRecord {
        cause: RecycleCause::NoFollowUp {
            days: 30,
            since: day(0),
        }
        .into(),
        due: day(30),
        pool: "华东公海".into(),
    };
    let change = recycle_change(UserId(1), &owned, &record, day(31)).expect("owned");
    assert_eq!(
        (
            change.kind,
            change.from,
            change.to,
            change.by,
            change.expected_version
        ),
        (LedgerKind::Recycle, Some(UserId(3)), None, UserId(1), 4)
    );
    let stored: RecycleRecord =
        serde_json::from_str(change.rule.as_deref().expect("rule")).expect("json");
    assert_eq!(stored, record);
    let pooled = OwnershipState {
        owner_id: None,
        ..owned
    };
    assert_eq!(
        recycle_change(UserId(1), &pooled, &record, day(31)),
        Err(OwnershipError::InPool)
    );
}
