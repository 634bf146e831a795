//! Strategies (分配策略): how a rule picks among its eligible reps, deterministically, from
//! state the store keeps per rule (so it is fair across restarts and instances).

use super::explain::CandidateVerdict;
use super::hours::WorkingHours;
use super::rule::{RoutingRule, TargetRep};
pub use super::skip::{Skip, skip_reason};
use crate::ids::UserId;
use crate::pool::Leave;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// How a rule picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// In turn, in the target's order.
    RoundRobin,
    /// In turn by weight: smooth weighted round robin (as nginx), deterministic.
    WeightedRoundRobin,
    /// The rep with the fewest open leads; ties go to the earlier rep in the target.
    LeastLoaded,
    /// The highest saturation × responsiveness × capability (see [`DynamicWeights`]).
    Dynamic,
    /// Territory match (按区域): only reps whose territory names the lead's province or city,
    /// the least loaded of them first; ties to the earlier rep.
    Territory,
    /// Skill match (按专长): only reps whose skills name the lead's industry, the least loaded
    /// of them first; ties to the earlier rep. A lead naming no industry does not match the
    /// rule at all (see `RoutingRule::miss`).
    Skill,
}

/// The dynamic strategy's factor weights: each factor is raised to its weight, so 0 turns
/// it off and 2 counts it twice. Saturation = 1 / (1 + open leads); responsiveness =
/// 1 / (1 + median minutes to first response / 30), 30 minutes assumed without history;
/// capability = (deals won + 1) / (deals closed + 2), the win rate shrunk toward one half so
/// a rep with two deals is not judged by them alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamicWeights {
    /// Weight of saturation (few open leads).
    #[serde(default = "one")]
    pub saturation: u8,
    /// Weight of responsiveness (fast first responses).
    #[serde(default = "one")]
    pub responsiveness: u8,
    /// Weight of capability (win rate).
    #[serde(default = "one")]
    pub capability: u8,
}

fn one() -> u8 {
    1
}

impl Default for DynamicWeights {
    fn default() -> Self {
        DynamicWeights {
            saturation: 1,
            responsiveness: 1,
            capability: 1,
        }
    }
}

/// Largest factor weight.
pub const FACTOR_WEIGHT_MAX: u8 = 10;

/// A candidate's three factors, in thousandths, as the explanation shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factors {
    /// Saturation (‰).
    pub saturation: u32,
    /// Responsiveness (‰).
    pub responsiveness: u32,
    /// Capability (‰).
    pub capability: u32,
}

/// A rule's strategy state, kept between leads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StrategyState {
    /// Round robin: the target position whose turn it is next.
    #[serde(default)]
    pub cursor: usize,
    /// Weighted round robin: each rep's current weight.
    #[serde(default)]
    pub current: BTreeMap<i64, i64>,
}

/// What routing knows of a candidate rep at the instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateFacts {
    /// Name, for explanations.
    pub name: String,
    /// A deactivated user gets nothing.
    pub active: bool,
    /// Their recorded leaves.
    pub leaves: Vec<Leave>,
    /// Customers they own.
    pub owned: u32,
    /// Their ownership cap (保有量上限), if any.
    pub cap: Option<u32>,
    /// Leads assigned to them and still open.
    pub open_leads: u32,
    /// They let this lead's response window pass before: a reassignment skips them.
    pub missed_window: bool,
    /// Median minutes from assignment to first response over their recent leads.
    pub response_median_mins: Option<u32>,
    /// Deals won and deals closed (won or lost) on their customers, recently.
    pub deals_won: u32,
    /// See `deals_won`.
    pub deals_closed: u32,
    /// Provinces and cities they cover (territory match).
    pub territory: Vec<String>,
    /// Set by routing for a territory rule when their territory misses the lead's place.
    pub out_of_territory: bool,
    /// Industries they can serve (skill match).
    pub skills: Vec<String>,
    /// Set by routing for a skill rule when their skills miss the lead's industry: that
    /// industry, for the explanation.
    pub lacks_skill: Option<String>,
    /// Their working hours; `None`: any time.
    pub hours: Option<WorkingHours>,
}

impl CandidateFacts {
    /// An active rep named `name` with no load, leave, cap, hours, territory, skills or
    /// history: the facts a caller starts from and changes what matters.
    pub fn available(name: &str) -> CandidateFacts {
        CandidateFacts {
            name: name.to_owned(),
            active: true,
            leaves: Vec::new(),
            owned: 0,
            cap: None,
            open_leads: 0,
            missed_window: false,
            response_median_mins: None,
            deals_won: 0,
            deals_closed: 0,
            territory: Vec::new(),
            out_of_territory: false,
            skills: Vec::new(),
            lacks_skill: None,
            hours: None,
        }
    }

    /// The dynamic strategy's factors (each 0–1).
    pub fn factors(&self) -> (f64, f64, f64) {
        let saturation = 1.0 / (1.0 + f64::from(self.open_leads));
        let minutes = f64::from(self.response_median_mins.unwrap_or(30));
        let responsiveness = 1.0 / (1.0 + minutes / 30.0);
        let capability = (f64::from(self.deals_won) + 1.0) / (f64::from(self.deals_closed) + 2.0);
        (saturation, responsiveness, capability)
    }
}

/// A strategy's pick with every candidate's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// The chosen rep, if any was eligible.
    pub chosen: Option<UserId>,
    /// Each target rep, in order, with its score or skip reason.
    pub verdicts: Vec<CandidateVerdict>,
    /// The rule's new state (unchanged when nobody was chosen).
    pub state: StrategyState,
}

/// Picks among `rule`'s target reps by its strategy.
pub fn pick(
    rule: &RoutingRule,
    state: &StrategyState,
    candidates: &HashMap<UserId, CandidateFacts>,
    now: DateTime<Utc>,
) -> Pick {
    let reps = &rule.target.reps;
    let skips: Vec<Option<Skip>> = reps
        .iter()
        .map(|r| skip_reason(candidates.get(&r.user), now))
        .collect();
    let eligible: Vec<usize> = (0..reps.len()).filter(|&i| skips[i].is_none()).collect();
    let (chosen, scores, new_state) = match rule.strategy {
        Strategy::RoundRobin => round_robin(reps.len(), &eligible, state),
        Strategy::WeightedRoundRobin => weighted(reps, &eligible, state),
        Strategy::LeastLoaded | Strategy::Territory | Strategy::Skill => {
            least_loaded(reps, &eligible, candidates, state)
        }
        Strategy::Dynamic => dynamic(reps, &eligible, candidates, rule.dynamic, state),
    };
    let verdicts = reps
        .iter()
        .enumerate()
        .map(|(i, r)| CandidateVerdict {
            user: r.user,
            name: candidates.get(&r.user).map(|f| f.name.clone()),
            score: scores.get(&i).copied(),
            factors: (rule.strategy == Strategy::Dynamic && skips[i].is_none())
                .then(|| candidates.get(&r.user).map(permille))
                .flatten(),
            skip: skips[i].clone(),
            chosen: chosen == Some(i),
        })
        .collect();
    Pick {
        chosen: chosen.map(|i| reps[i].user),
        verdicts,
        state: new_state,
    }
}

type Scored = (Option<usize>, BTreeMap<usize, i64>, StrategyState);

/// Score = how many turns away the rep is (0 = their turn).
fn round_robin(n: usize, eligible: &[usize], state: &StrategyState) -> Scored {
    let start = if n == 0 { 0 } else { state.cursor % n };
    let scores: BTreeMap<usize, i64> = eligible
        .iter()
        .map(|&i| (i, ((i + n - start) % n.max(1)) as i64))
        .collect();
    let chosen = scores.iter().min_by_key(|(_, s)| **s).map(|(i, _)| *i);
    let mut next = state.clone();
    if let Some(i) = chosen {
        next.cursor = (i + 1) % n;
    }
    (chosen, scores, next)
}

/// Smooth weighted round robin: every eligible rep's current weight grows by its weight,
/// the largest wins and gives back the eligible total. Skipped reps keep theirs.
fn weighted(reps: &[TargetRep], eligible: &[usize], state: &StrategyState) -> Scored {
    let mut next = state.clone();
    // Forget reps no longer in the target.
    next.current
        .retain(|u, _| reps.iter().any(|r| r.user.0 == *u));
    let mut total = 0i64;
    let mut scores = BTreeMap::new();
    for &i in eligible {
        let w = i64::from(reps[i].weight());
        let cur = next.current.entry(reps[i].user.0).or_insert(0);
        *cur += w;
        total += w;
        scores.insert(i, *cur);
    }
    // Ties go to the earlier rep: max_by_key keeps the last maximum, so compare reversed.
    let chosen = eligible
        .iter()
        .copied()
        .max_by_key(|&i| (scores[&i], std::cmp::Reverse(i)));
    match chosen {
        Some(i) => {
            if let Some(cur) = next.current.get_mut(&reps[i].user.0) {
                *cur -= total;
            }
            (Some(i), scores, next)
        }
        None => (None, scores, state.clone()),
    }
}

/// Score = open leads; the fewest wins, ties to the earlier rep.
fn least_loaded(
    reps: &[TargetRep],
    eligible: &[usize],
    candidates: &HashMap<UserId, CandidateFacts>,
    state: &StrategyState,
) -> Scored {
    let scores: BTreeMap<usize, i64> = eligible
        .iter()
        .map(|&i| {
            let load = candidates.get(&reps[i].user).map_or(0, |f| f.open_leads);
            (i, i64::from(load))
        })
        .collect();
    let chosen = scores
        .iter()
        .min_by_key(|(i, s)| (**s, **i))
        .map(|(i, _)| *i);
    (chosen, scores, state.clone())
}

fn permille(f: &CandidateFacts) -> Factors {
    let (s, r, c) = f.factors();
    let m = |v: f64| (v * 1000.0).round() as u32;
    Factors {
        saturation: m(s),
        responsiveness: m(r),
        capability: m(c),
    }
}

/// Score = saturation^ws × responsiveness^wr × capability^wc, in millionths; the highest
/// wins, ties to the earlier rep.
fn dynamic(
    reps: &[TargetRep],
    eligible: &[usize],
    candidates: &HashMap<UserId, CandidateFacts>,
    weights: Option<DynamicWeights>,
    state: &StrategyState,
) -> Scored {
    let w = weights.unwrap_or_default();
    let scores: BTreeMap<usize, i64> = eligible
        .iter()
        .filter_map(|&i| {
            let (s, r, c) = candidates.get(&reps[i].user)?.factors();
            let score = s.powi(i32::from(w.saturation))
                * r.powi(i32::from(w.responsiveness))
                * c.powi(i32::from(w.capability));
            Some((i, (score * 1e6).round() as i64))
        })
        .collect();
    let chosen = scores
        .iter()
        .max_by_key(|(i, s)| (**s, std::cmp::Reverse(**i)))
        .map(|(i, _)| *i);
    (chosen, scores, state.clone())
}

#[cfg(test)]
#[path = "strategy_tests.rs"]
mod tests;
