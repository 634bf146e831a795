//! Lead routing (线索分配): an ordered list of rules ([`rule`]) decides which rep gets an
//! unrouted lead; each rule's strategy ([`strategy`]) picks among its eligible reps, and the
//! decision explains itself ([`explain`]). Everything here is pure: the store passes in the
//! lead, the rules with their strategy state, the candidates' facts and the instant. The
//! simulator ([`simulate`]) replays the leads of a [`range`] through a draft list, with
//! [`fairness`] figures and [`breach`] estimates.

pub mod breach;
pub mod explain;
pub mod fairness;
pub mod range;
pub mod rule;
pub mod simulate;
pub mod strategy;

pub use breach::{BreachRates, PastWindow};
pub use explain::{CandidateVerdict, RoutingExplanation, RuleTrial, TrialResult};
pub use fairness::{Fairness, gini};
pub use range::{MAX_RANGE_DAYS, SimulationRange};
pub use rule::{
    Criteria, LeadFacts, Miss, RoutingRule, Target, TargetRep, TimeWindow, validate_rules,
};
pub use simulate::{RepOutcome, ReplayLead, Simulation, simulate};
pub use strategy::{CandidateFacts, Skip, Strategy, StrategyState};

use crate::ids::UserId;
use chrono::{DateTime, FixedOffset, Utc};
use std::collections::HashMap;

/// What routing decided for one lead.
#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    /// The rep who gets the lead; `None` leaves it unrouted.
    pub chosen: Option<UserId>,
    /// Why, stored with the lead.
    pub explanation: RoutingExplanation,
    /// The index of the rule that chose and its new strategy state.
    pub state: Option<(usize, StrategyState)>,
}

/// Routes one lead: the first active rule that matches and has an eligible rep decides;
/// a rule whose reps are all skipped falls through to the next. No decision leaves the
/// lead unrouted, and the explanation says why (never a silent skip).
pub fn route(
    lead: &LeadFacts,
    rules: &[(RoutingRule, StrategyState)],
    candidates: &HashMap<UserId, CandidateFacts>,
    now: DateTime<Utc>,
    local: FixedOffset,
) -> Routing {
    let mut trials = Vec::new();
    for (index, (rule, state)) in rules.iter().enumerate() {
        let mut trial = RuleTrial::new(index, &rule.name);
        if !rule.active {
            trial.result = TrialResult::Inactive;
            trials.push(trial);
            continue;
        }
        if let Some(miss) = rule.criteria.miss(lead, now.with_timezone(&local)) {
            trial.result = TrialResult::NoMatch { miss };
            trials.push(trial);
            continue;
        }
        let pick = strategy::pick(rule, state, candidates, now);
        trial.candidates = pick.verdicts;
        match pick.chosen {
            Some(user) => {
                trial.result = TrialResult::Chosen { user };
                trials.push(trial);
                return Routing {
                    chosen: Some(user),
                    explanation: RoutingExplanation {
                        rules: trials,
                        chosen: Some(user),
                    },
                    state: Some((index, pick.state)),
                };
            }
            None => {
                trial.result = TrialResult::AllSkipped;
                trials.push(trial);
            }
        }
    }
    Routing {
        chosen: None,
        explanation: RoutingExplanation {
            rules: trials,
            chosen: None,
        },
        state: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn rule(name: &str, sources: Vec<i64>, reps: &[i64]) -> RoutingRule {
        RoutingRule {
            name: name.into(),
            criteria: Criteria {
                sources,
                ..Criteria::default()
            },
            target: Target {
                reps: reps
                    .iter()
                    .map(|&u| TargetRep {
                        user: UserId(u),
                        weight: None,
                    })
                    .collect(),
            },
            strategy: Strategy::RoundRobin,
            active: true,
        }
    }

    fn go(rules: Vec<RoutingRule>, cands: &HashMap<UserId, CandidateFacts>) -> Routing {
        let rules: Vec<_> = rules
            .into_iter()
            .map(|r| (r, StrategyState::default()))
            .collect();
        let lead = LeadFacts {
            source: 1,
            ..LeadFacts::default()
        };
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap();
        route(&lead, &rules, cands, now, FixedOffset::east_opt(0).unwrap())
    }

    fn rep(name: &str, active: bool) -> CandidateFacts {
        CandidateFacts {
            name: name.into(),
            active,
            leaves: Vec::new(),
            owned: 0,
            cap: None,
            open_leads: 0,
            missed_window: false,
        }
    }

    #[test]
    fn the_first_matching_rule_decides_and_earlier_ones_say_why_not() {
        let cands = HashMap::from([(UserId(7), rep("王芳", true))]);
        let r = go(
            vec![rule("抖音", vec![2], &[7]), rule("all", vec![], &[7])],
            &cands,
        );
        assert_eq!(r.chosen, Some(UserId(7)));
        assert_eq!(
            r.explanation.rules[0].result,
            TrialResult::NoMatch { miss: Miss::Source }
        );
        assert_eq!(r.explanation.deciding().unwrap().name, "all");
        assert_eq!(r.state.map(|(i, s)| (i, s.cursor)), Some((1, 0)));
    }

    #[test]
    fn all_skipped_falls_through_and_no_match_stays_unrouted_with_reasons() {
        let cands = HashMap::from([(UserId(7), rep("王芳", false))]);
        let r = go(
            vec![rule("all", vec![], &[7]), rule("抖音", vec![2], &[7])],
            &cands,
        );
        assert_eq!(r.chosen, None);
        assert_eq!(r.state, None);
        let results: Vec<_> = r.explanation.rules.iter().map(|t| t.result).collect();
        assert_eq!(
            results,
            [
                TrialResult::AllSkipped,
                TrialResult::NoMatch { miss: Miss::Source }
            ]
        );
        assert_eq!(
            r.explanation.rules[0].candidates[0].skip,
            Some(Skip::Inactive)
        );
        assert!(go(vec![], &cands).explanation.rules.is_empty());
    }
}
