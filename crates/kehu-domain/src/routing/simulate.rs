//! The routing simulator (分配模拟): replays past leads through a rule list, as if the list
//! had been live, and reports per rep what they would have received against their target
//! share, with fairness figures and expected response-window breaches. Nothing is decided
//! for real: the store reads, this computes, nothing is written.
//!
//! The replay:
//! - takes the leads in arrival order, each routed by [`route`] at its own arrival instant
//!   (criteria in local time, leave judged at that instant by the strategies' skip rules);
//! - starts every rule's strategy state afresh, as replacing the live list does;
//! - uses the candidates' facts as given once (active, leave, cap), except the load: every
//!   rep starts with no open leads and each lead they are given adds one, so least loaded
//!   behaves over the replay as it would have. Today's open leads are not the starting load,
//!   because they include the replayed leads themselves, which were assigned in reality.
//!
//! **Target share.** Each replayed lead belongs to the first active rule whose criteria take
//! it at its instant (whoever is available), and counts as one lead spread over that rule's
//! reps: by weight share under weighted round robin, equally under round robin and least
//! loaded. A rep's target share is the sum of their parts over the number of replayed leads;
//! their share is what they received over the same number, and the deviation is share minus
//! target. So leave, caps and fall-through to later rules all show as deviation, and leads no
//! rule takes count in nobody's target (they are `unmatched`). Leads a pool rule takes are
//! `pooled`: they matched, are in no rep's target, and are not unrouted.
//!
//! **Expected breaches.** A rep's leads from sources with a response window, times the rep's
//! breach rate from history ([`BreachRates`]).

use super::breach::BreachRates;
use super::explain::TrialResult;
use super::fairness::{Fairness, gini, max_deviation};
use super::route;
use super::rule::{LeadFacts, RoutingRule};
use super::strategy::{CandidateFacts, Strategy, StrategyState};
use crate::ids::UserId;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// One lead to replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayLead {
    /// What routing knows of it.
    pub facts: LeadFacts,
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// Its source has a response window, so its rep could breach it.
    pub windowed: bool,
}

/// What a rule list would have done with the replayed leads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    /// Leads replayed.
    pub leads: u32,
    /// Leads a rep would have received.
    pub routed: u32,
    /// Leads a rule would have sent to a team's lead pool (认领池), for its reps to claim.
    pub pooled: u32,
    /// Leads that would have stayed unrouted (no rule took them, or all reps were skipped).
    pub unrouted: u32,
    /// Of the unrouted, those no active rule's criteria took.
    pub unmatched: u32,
    /// Every rep of an active rule, in order of first appearance in the list.
    pub reps: Vec<RepOutcome>,
    /// How evenly the leads were spread.
    pub fairness: Fairness,
    /// Expected breaches over all reps; `None` without any history to estimate from.
    pub expected_breaches: Option<f64>,
}

/// One rep's part of a simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepOutcome {
    /// The rep.
    pub user: UserId,
    /// Their name; `None` for an unknown user.
    pub name: Option<String>,
    /// Leads they would have received.
    pub received: u32,
    /// `received` over the leads replayed.
    pub share: f64,
    /// Their target share (see the module documentation).
    pub target: f64,
    /// `share − target`.
    pub deviation: f64,
    /// Expected response-window breaches; `None` without history.
    pub expected_breaches: Option<f64>,
}

/// Replays `leads` (in arrival order) through `rules`; see the module documentation.
pub fn simulate(
    leads: &[ReplayLead],
    rules: &[RoutingRule],
    candidates: &HashMap<UserId, CandidateFacts>,
    rates: &BreachRates,
    local: FixedOffset,
) -> Simulation {
    let mut list: Vec<(RoutingRule, StrategyState)> = rules
        .iter()
        .map(|r| (r.clone(), StrategyState::default()))
        .collect();
    let mut load: HashMap<UserId, CandidateFacts> = candidates
        .iter()
        .map(|(u, f)| {
            let fresh = CandidateFacts {
                open_leads: 0,
                ..f.clone()
            };
            (*u, fresh)
        })
        .collect();
    let mut tally = Tally::new(rules, candidates);
    for lead in leads {
        let routing = route(&lead.facts, &list, &load, lead.at, local);
        // A pool rule takes the lead too: it is meant for nobody's share, but it matched.
        let intended = routing.explanation.rules.iter().find(|t| {
            matches!(
                t.result,
                TrialResult::AllSkipped | TrialResult::Chosen { .. } | TrialResult::Pooled { .. }
            )
        });
        tally.intend(intended.map(|t| t.position));
        if let Some((index, state)) = routing.state {
            list[index].1 = state;
        }
        if let Some(user) = routing.chosen {
            if let Some(f) = load.get_mut(&user) {
                f.open_leads = f.open_leads.saturating_add(1);
            }
            tally.receive(user, lead.windowed);
        }
        tally.pooled += u32::from(routing.pooled.is_some());
    }
    tally.finish(rates)
}

/// Counts kept during a replay.
struct Tally {
    /// Per rule (by position), each rep's index in `reps` and their part of one lead.
    parts: Vec<Vec<(usize, f64)>>,
    reps: Vec<RepCount>,
    index: HashMap<UserId, usize>,
    leads: u32,
    routed: u32,
    pooled: u32,
    unmatched: u32,
}

struct RepCount {
    user: UserId,
    name: Option<String>,
    received: u32,
    windowed: u32,
    target: f64,
}

impl Tally {
    fn new(rules: &[RoutingRule], candidates: &HashMap<UserId, CandidateFacts>) -> Tally {
        let mut reps: Vec<RepCount> = Vec::new();
        let mut index: HashMap<UserId, usize> = HashMap::new();
        let mut parts = Vec::with_capacity(rules.len());
        for rule in rules {
            if !rule.active {
                parts.push(Vec::new());
                continue;
            }
            let weighted = rule.strategy == Strategy::WeightedRoundRobin;
            let weight = |w: u32| if weighted { f64::from(w) } else { 1.0 };
            let total: f64 = rule.target.reps.iter().map(|r| weight(r.weight())).sum();
            let mut shares = Vec::with_capacity(rule.target.reps.len());
            for r in &rule.target.reps {
                let i = *index.entry(r.user).or_insert_with(|| {
                    reps.push(RepCount {
                        user: r.user,
                        name: candidates.get(&r.user).map(|f| f.name.clone()),
                        received: 0,
                        windowed: 0,
                        target: 0.0,
                    });
                    reps.len() - 1
                });
                shares.push((i, weight(r.weight()) / total));
            }
            parts.push(shares);
        }
        Tally {
            parts,
            reps,
            index,
            leads: 0,
            routed: 0,
            pooled: 0,
            unmatched: 0,
        }
    }

    /// One more lead, meant for the rule at `rule` (`None`: no rule takes it).
    fn intend(&mut self, rule: Option<usize>) {
        self.leads += 1;
        let Some(parts) = rule.and_then(|r| self.parts.get(r)) else {
            self.unmatched += 1;
            return;
        };
        for &(i, part) in parts {
            self.reps[i].target += part;
        }
    }

    fn receive(&mut self, user: UserId, windowed: bool) {
        self.routed += 1;
        if let Some(&i) = self.index.get(&user) {
            self.reps[i].received += 1;
            self.reps[i].windowed += u32::from(windowed);
        }
    }

    fn finish(self, rates: &BreachRates) -> Simulation {
        let n = f64::from(self.leads.max(1));
        let known = rates.known();
        let reps: Vec<RepOutcome> = self
            .reps
            .into_iter()
            .map(|r| {
                let share = f64::from(r.received) / n;
                let target = r.target / n;
                RepOutcome {
                    user: r.user,
                    name: r.name,
                    received: r.received,
                    share,
                    target,
                    deviation: share - target,
                    expected_breaches: known.then(|| f64::from(r.windowed) * rates.rate(r.user)),
                }
            })
            .collect();
        let meant: Vec<u32> = reps
            .iter()
            .filter(|r| r.target > 0.0)
            .map(|r| r.received)
            .collect();
        let fairness = Fairness {
            max_deviation: max_deviation(reps.iter().map(|r| r.deviation)),
            gini: gini(&meant),
        };
        let expected_breaches =
            known.then(|| reps.iter().filter_map(|r| r.expected_breaches).sum());
        Simulation {
            leads: self.leads,
            routed: self.routed,
            pooled: self.pooled,
            unrouted: self.leads - self.routed - self.pooled,
            unmatched: self.unmatched,
            reps,
            fairness,
            expected_breaches,
        }
    }
}

#[cfg(test)]
#[path = "simulate_tests.rs"]
mod tests;
