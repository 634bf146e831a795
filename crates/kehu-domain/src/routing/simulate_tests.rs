use super::*;
use crate::pool::Leave;
use crate::routing::breach::PastWindow;
use crate::routing::rule::{Criteria, Target, TargetRep, TimeWindow};
use chrono::{Duration, NaiveTime, TimeZone};
use proptest::prelude::{ProptestConfig, prop_assert, proptest};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()
}

fn cn() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

fn rep(name: &str) -> CandidateFacts {
    CandidateFacts::available(name)
}

fn reps(n: i64) -> HashMap<UserId, CandidateFacts> {
    (1..=n)
        .map(|i| (UserId(i), rep(&format!("rep{i}"))))
        .collect()
}

fn rule(strategy: Strategy, sources: Vec<i64>, reps: &[(i64, u32)]) -> RoutingRule {
    RoutingRule {
        name: "r".into(),
        criteria: Criteria {
            sources,
            ..Criteria::default()
        },
        target: Target {
            reps: reps
                .iter()
                .map(|&(u, w)| TargetRep {
                    user: UserId(u),
                    weight: Some(w),
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

/// `n` leads of `source`, an hour apart from `t0`.
fn leads(n: usize, source: i64) -> Vec<ReplayLead> {
    (0..n)
        .map(|i| ReplayLead {
            facts: LeadFacts {
                source,
                ..LeadFacts::default()
            },
            at: t0() + Duration::hours(i as i64),
            windowed: true,
        })
        .collect()
}

fn run(
    leads: &[ReplayLead],
    rules: &[RoutingRule],
    c: &HashMap<UserId, CandidateFacts>,
) -> Simulation {
    simulate(leads, rules, c, &BreachRates::default(), cn())
}

fn received(s: &Simulation) -> Vec<(i64, u32)> {
    s.reps.iter().map(|r| (r.user.0, r.received)).collect()
}

#[test]
fn round_robin_shares_evenly_on_target_with_zero_gini() {
    let r = rule(Strategy::RoundRobin, vec![], &[(1, 1), (2, 1), (3, 1)]);
    let s = run(&leads(6, 1), &[r], &reps(3));
    assert_eq!(received(&s), [(1, 2), (2, 2), (3, 2)]);
    assert_eq!((s.leads, s.routed, s.unrouted, s.unmatched), (6, 6, 0, 0));
    for r in &s.reps {
        assert!((r.share - 1.0 / 3.0).abs() < 1e-12 && (r.target - 1.0 / 3.0).abs() < 1e-12);
        assert!(r.deviation.abs() < 1e-12);
    }
    assert_eq!(s.fairness.gini, 0.0);
    assert!(s.fairness.max_deviation < 1e-12);
    assert_eq!(s.reps[0].name.as_deref(), Some("rep1"));
}

#[test]
fn weighted_targets_follow_the_weights_and_gini_measures_the_unequal_counts() {
    let r = rule(Strategy::WeightedRoundRobin, vec![], &[(1, 3), (2, 1)]);
    let s = run(&leads(8, 1), &[r], &reps(2));
    assert_eq!(received(&s), [(1, 6), (2, 2)]);
    assert_eq!(
        s.reps.iter().map(|r| r.target).collect::<Vec<_>>(),
        [0.75, 0.25]
    );
    assert_eq!(s.fairness.max_deviation, 0.0);
    // Counts [2, 6]: (−1 · 2 + 1 · 6) / (2 · 8) = 0.25.
    assert_eq!(s.fairness.gini, 0.25);
}

#[test]
fn a_rep_on_leave_at_a_lead_instant_is_skipped_and_falls_below_target() {
    let r = rule(Strategy::RoundRobin, vec![], &[(1, 1), (2, 1)]);
    let mut c = reps(2);
    // Away for the first four leads (t0 … t0+3h), back at t0+4h.
    c.get_mut(&UserId(2)).unwrap().leaves = vec![Leave {
        from: t0() - Duration::days(1),
        until: t0() + Duration::hours(4),
    }];
    let s = run(&leads(8, 1), &[r], &c);
    assert_eq!(received(&s), [(1, 6), (2, 2)]);
    let dev: Vec<f64> = s.reps.iter().map(|r| r.deviation).collect();
    assert_eq!(dev, [0.25, -0.25]);
    assert_eq!(s.fairness.max_deviation, 0.25);
    assert_eq!(s.fairness.gini, 0.25);
}

#[test]
fn least_loaded_counts_the_replayed_leads_not_todays_backlog() {
    let r = rule(Strategy::LeastLoaded, vec![], &[(1, 1), (2, 1), (3, 1)]);
    let mut c = reps(3);
    c.get_mut(&UserId(1)).unwrap().open_leads = 50;
    let s = run(&leads(7, 1), &[r], &c);
    assert_eq!(received(&s), [(1, 3), (2, 2), (3, 2)]);
}

#[test]
fn fall_through_shows_as_deviation_and_unmatched_leads_are_nobodys_target() {
    // Source 1 is meant for rep 1, who is deactivated: it falls through to rep 2's rule.
    let mut c = reps(2);
    c.get_mut(&UserId(1)).unwrap().active = false;
    let rules = [
        rule(Strategy::RoundRobin, vec![1], &[(1, 1)]),
        rule(Strategy::RoundRobin, vec![1, 2], &[(2, 1)]),
    ];
    let mut ls = leads(2, 1);
    ls.extend(leads(2, 2));
    ls.extend(leads(4, 3));
    let s = run(&ls, &rules, &c);
    assert_eq!(received(&s), [(1, 0), (2, 4)]);
    assert_eq!((s.leads, s.routed, s.unrouted, s.unmatched), (8, 4, 4, 4));
    let t: Vec<(f64, f64, f64)> = s
        .reps
        .iter()
        .map(|r| (r.share, r.target, r.deviation))
        .collect();
    assert_eq!(t, [(0.0, 0.25, -0.25), (0.5, 0.25, 0.25)]);
    assert_eq!(s.fairness.gini, 0.5, "counts [0, 4]");
}

#[test]
fn pooled_leads_are_counted_apart_not_as_unrouted_or_unmatched() {
    let mut pool = rule(Strategy::RoundRobin, vec![2], &[]);
    pool.target.lead_pool = Some(crate::ids::TeamId(4));
    let rules = [pool, rule(Strategy::RoundRobin, vec![1], &[(1, 1)])];
    let mut ls = leads(3, 2);
    ls.extend(leads(2, 1));
    ls.extend(leads(1, 9));
    let s = run(&ls, &rules, &reps(1));
    assert_eq!(
        (s.leads, s.routed, s.pooled, s.unrouted, s.unmatched),
        (6, 2, 3, 1, 1)
    );
    // The pooled leads are in nobody's target: rep 1's rule took 2 of the 6.
    assert_eq!(s.reps[0].target, 2.0 / 6.0);
}

#[test]
fn new_criteria_and_skills_replay_as_they_route() {
    let mut machines = rule(Strategy::Skill, vec![], &[(1, 1), (2, 1)]);
    machines.criteria.regions = vec![crate::routing::Region::East];
    let rest = rule(Strategy::RoundRobin, vec![], &[(3, 1)]);
    let mut c = reps(3);
    c.get_mut(&UserId(2)).unwrap().skills = vec!["机械设备".into()];
    let lead = |province: &str, industry: Option<&str>| ReplayLead {
        facts: LeadFacts {
            source: 1,
            province: Some(province.into()),
            industry: industry.map(str::to_owned),
            ..LeadFacts::default()
        },
        at: t0(),
        windowed: false,
    };
    let ls = [
        lead("江苏省", Some("机械设备")),
        lead("浙江", Some("机械设备")),
        lead("广东", Some("机械设备")),
        lead("江苏", None),
    ];
    let s = run(&ls, &[machines, rest], &c);
    // Rep 1 has no skill; 广东 is not 华东; the lead without an industry misses the rule.
    assert_eq!(received(&s), [(1, 0), (2, 2), (3, 2)]);
}

#[test]
fn an_inactive_rule_takes_nothing_and_its_reps_are_not_listed() {
    let mut off = rule(Strategy::RoundRobin, vec![], &[(1, 1)]);
    off.active = false;
    let on = rule(Strategy::RoundRobin, vec![], &[(2, 1)]);
    let s = run(&leads(3, 1), &[off, on], &reps(2));
    assert_eq!(received(&s), [(2, 3)]);
    assert_eq!(s.reps[0].target, 1.0);
}

#[test]
fn criteria_are_judged_at_each_lead_local_time() {
    let mut night = rule(Strategy::RoundRobin, vec![], &[(1, 1)]);
    night.criteria.time = Some(TimeWindow {
        from: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
        until: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
    });
    let day = rule(Strategy::RoundRobin, vec![], &[(2, 1)]);
    // t0 is 10:00 in China; twelve hours on it is 22:00.
    let mut ls = leads(1, 1);
    ls.push(ReplayLead {
        at: t0() + Duration::hours(12),
        ..ls[0].clone()
    });
    let s = run(&ls, &[night, day], &reps(2));
    assert_eq!(received(&s), [(1, 1), (2, 1)]);
}

#[test]
fn expected_breaches_are_windowed_leads_times_the_rep_rate() {
    let r = rule(Strategy::RoundRobin, vec![], &[(1, 1), (2, 1)]);
    let mut ls = leads(4, 1);
    ls[2].windowed = false;
    let due = t0() - Duration::days(1);
    // Team: 10 settled, 5 breached (all rep 1's).
    let history: Vec<PastWindow> = (0..10)
        .map(|i| PastWindow {
            rep: UserId(if i < 5 { 1 } else { 2 }),
            due,
            responded: (i >= 5).then_some(due - Duration::minutes(1)),
        })
        .collect();
    let rates = BreachRates::from_history(&history, t0());
    let s = simulate(&ls, &[r], &reps(2), &rates, cn());
    // Rep 1: leads 0 and 2 (2 is not windowed), rate (5 + 5) / 15; rep 2: 2 leads, 5 / 15.
    let b: Vec<f64> = s
        .reps
        .iter()
        .map(|r| r.expected_breaches.unwrap())
        .collect();
    assert!((b[0] - 10.0 / 15.0).abs() < 1e-12, "{b:?}");
    assert!((b[1] - 2.0 * 5.0 / 15.0).abs() < 1e-12, "{b:?}");
    assert!((s.expected_breaches.unwrap() - (b[0] + b[1])).abs() < 1e-12);
    assert_eq!(run(&ls, &[], &reps(2)).expected_breaches, None);
}

#[test]
fn no_leads_no_figures() {
    let r = rule(Strategy::RoundRobin, vec![], &[(1, 1)]);
    let s = run(&[], &[r], &reps(1));
    assert_eq!((s.leads, s.reps[0].share, s.reps[0].target), (0, 0.0, 0.0));
    assert_eq!(s.fairness, Fairness::default());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Round robin over any number of eligible reps hands out counts that differ by at
    /// most one, whatever the number of leads.
    #[test]
    fn round_robin_counts_differ_by_at_most_one(k in 1i64..12, n in 0usize..500) {
        let target: Vec<(i64, u32)> = (1..=k).map(|u| (u, 1)).collect();
        let r = rule(Strategy::RoundRobin, vec![], &target);
        let s = run(&leads(n, 1), &[r], &reps(k));
        let counts: Vec<u32> = s.reps.iter().map(|r| r.received).collect();
        let (lo, hi) = (counts.iter().min().copied(), counts.iter().max().copied());
        prop_assert!(hi.unwrap_or(0) - lo.unwrap_or(0) <= 1, "{counts:?}");
        prop_assert!(counts.iter().sum::<u32>() as usize == n);
        prop_assert!(s.fairness.max_deviation <= 1.0 / n.max(1) as f64 + 1e-12);
    }
}
