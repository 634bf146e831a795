use super::*;
use crate::routing::rule::{Criteria, Target};
use chrono::TimeZone;
use proptest::prelude::{ProptestConfig, any, prop, prop_assert, proptest};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()
}

fn facts(name: &str) -> CandidateFacts {
    CandidateFacts::available(name)
}

fn rule(strategy: Strategy, weights: &[u32]) -> RoutingRule {
    RoutingRule {
        name: "r".into(),
        criteria: Criteria::default(),
        target: Target {
            reps: weights
                .iter()
                .enumerate()
                .map(|(i, w)| TargetRep {
                    user: UserId(i as i64 + 1),
                    weight: Some(*w),
                })
                .collect(),
            lead_pool: None,
            team: None,
        },
        strategy,
        dynamic: None,
        active: true,
    }
}

fn everyone(n: usize) -> HashMap<UserId, CandidateFacts> {
    (1..=n as i64)
        .map(|i| (UserId(i), facts(&format!("rep{i}"))))
        .collect()
}

/// Runs `n` picks, feeding the state back; returns who got each lead.
fn run(rule: &RoutingRule, cands: &HashMap<UserId, CandidateFacts>, n: usize) -> Vec<i64> {
    let mut state = StrategyState::default();
    (0..n)
        .map(|_| {
            let p = pick(rule, &state, cands, now());
            state = p.state;
            p.chosen.map_or(0, |u| u.0)
        })
        .collect()
}

#[test]
fn dynamic_weighs_load_response_and_win_rate_and_shows_the_factors() {
    let mut c = everyone(3);
    // rep 1: idle but slow (120 min) and untried; rep 2: two open, fast (10 min), 5 of 6 won.
    c.get_mut(&UserId(1)).unwrap().response_median_mins = Some(120);
    let b = c.get_mut(&UserId(2)).unwrap();
    (
        b.open_leads,
        b.response_median_mins,
        b.deals_won,
        b.deals_closed,
    ) = (2, Some(10), 5, 6);
    c.get_mut(&UserId(3)).unwrap().active = false;
    let mut r = rule(Strategy::Dynamic, &[1, 1, 1]);
    // 1 × 0.2 × 0.5 = 0.1 against ⅓ × 0.75 × 0.75 = 0.1875.
    let p = pick(&r, &StrategyState::default(), &c, now());
    assert_eq!(p.chosen, Some(UserId(2)));
    let scores: Vec<_> = p.verdicts.iter().map(|v| v.score).collect();
    assert_eq!(scores, [Some(100_000), Some(187_500), None]);
    let f = p.verdicts[1].factors.expect("factors");
    assert_eq!(
        (f.saturation, f.responsiveness, f.capability),
        (333, 750, 750)
    );
    assert_eq!(p.verdicts[2].factors, None, "a skipped rep has no factors");
    // Load counted three times: the idle rep wins (0.1 against 0.0208).
    r.dynamic = Some(DynamicWeights {
        saturation: 3,
        ..DynamicWeights::default()
    });
    assert_eq!(
        pick(&r, &StrategyState::default(), &c, now()).chosen,
        Some(UserId(1))
    );
}

#[test]
fn round_robin_takes_turns_in_target_order() {
    let r = rule(Strategy::RoundRobin, &[1, 1, 1]);
    assert_eq!(run(&r, &everyone(3), 6), [1, 2, 3, 1, 2, 3]);
}

#[test]
fn round_robin_skips_a_rep_on_leave_and_says_until_when() {
    let r = rule(Strategy::RoundRobin, &[1, 1, 1]);
    let mut c = everyone(3);
    let back = now() + chrono::Duration::days(7);
    c.get_mut(&UserId(2)).unwrap().leaves = vec![Leave {
        from: now() - chrono::Duration::days(1),
        until: back,
    }];
    assert_eq!(run(&r, &c, 4), [1, 3, 1, 3]);
    let p = pick(
        &r,
        &StrategyState {
            cursor: 1,
            ..Default::default()
        },
        &c,
        now(),
    );
    assert_eq!(p.chosen, Some(UserId(3)));
    assert_eq!(p.verdicts[1].skip, Some(Skip::OnLeave { until: back }));
    assert_eq!(p.verdicts[1].score, None);
}

#[test]
fn capped_inactive_and_unknown_reps_are_skipped_with_reasons() {
    let r = rule(Strategy::RoundRobin, &[1, 1, 1, 1]);
    let mut c = everyone(3);
    c.get_mut(&UserId(1)).unwrap().active = false;
    let f = c.get_mut(&UserId(2)).unwrap();
    f.owned = 120;
    f.cap = Some(120);
    let p = pick(&r, &StrategyState::default(), &c, now());
    let skips: Vec<_> = p.verdicts.iter().map(|v| v.skip.clone()).collect();
    assert_eq!(
        skips,
        [
            Some(Skip::Inactive),
            Some(Skip::AtCap {
                owned: 120,
                cap: 120
            }),
            None,
            Some(Skip::Unknown)
        ]
    );
    assert_eq!(p.chosen, Some(UserId(3)));
}

#[test]
fn nobody_eligible_keeps_the_state() {
    let r = rule(Strategy::WeightedRoundRobin, &[2, 1]);
    let mut c = everyone(2);
    for f in c.values_mut() {
        f.active = false;
    }
    let s = StrategyState {
        cursor: 1,
        ..Default::default()
    };
    let p = pick(&r, &s, &c, now());
    assert_eq!((p.chosen, p.state), (None, s));
}

#[test]
fn weighted_round_robin_is_smooth() {
    // nginx's example: weights 5, 1, 1 → a a b a c a a.
    let r = rule(Strategy::WeightedRoundRobin, &[5, 1, 1]);
    assert_eq!(run(&r, &everyone(3), 7), [1, 1, 2, 1, 3, 1, 1]);
}

#[test]
fn least_loaded_prefers_fewest_open_leads_then_target_order() {
    let r = rule(Strategy::LeastLoaded, &[1, 1, 1]);
    let mut c = everyone(3);
    c.get_mut(&UserId(1)).unwrap().open_leads = 4;
    c.get_mut(&UserId(2)).unwrap().open_leads = 2;
    c.get_mut(&UserId(3)).unwrap().open_leads = 2;
    let p = pick(&r, &StrategyState::default(), &c, now());
    assert_eq!(p.chosen, Some(UserId(2)));
    let scores: Vec<_> = p.verdicts.iter().map(|v| v.score).collect();
    assert_eq!(scores, [Some(4), Some(2), Some(2)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Over 10,000 leads each eligible rep's share is within 1% of its weight's share, and
    /// no eligible rep ever waits longer than a full cycle of weights.
    #[test]
    fn weighted_round_robin_follows_weights_and_never_starves(
        weights in prop::collection::vec(1u32..=20, 1..8),
        off in prop::collection::vec(any::<bool>(), 8),
    ) {
        let r = rule(Strategy::WeightedRoundRobin, &weights);
        let mut c = everyone(weights.len());
        // Some reps are inactive; at least one stays eligible.
        for (i, f) in c.iter_mut() {
            let idx = (i.0 - 1) as usize;
            f.active = idx == 0 || !off[idx];
        }
        let picks = run(&r, &c, 10_000);
        let eligible: Vec<usize> = (0..weights.len()).filter(|&i| c[&UserId(i as i64 + 1)].active).collect();
        let total: u32 = eligible.iter().map(|&i| weights[i]).sum();
        for &i in &eligible {
            let id = i as i64 + 1;
            let got = picks.iter().filter(|&&p| p == id).count() as f64 / 10_000.0;
            let want = f64::from(weights[i]) / f64::from(total);
            prop_assert!((got - want).abs() <= 0.01, "rep {id}: got {got}, want {want}");
            let mut gap = 0u32;
            for &p in &picks {
                gap = if p == id { 0 } else { gap + 1 };
                prop_assert!(gap <= total, "rep {id} starved for {gap} leads");
            }
        }
        prop_assert!(picks.iter().all(|p| eligible.contains(&((p - 1) as usize))));
    }
}
