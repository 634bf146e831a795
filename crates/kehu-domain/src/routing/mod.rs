//! Lead routing (线索分配): an ordered list of rules ([`rule`]) decides which rep gets an
//! unrouted lead; each rule's strategy ([`strategy`]) picks among its eligible reps, and the
//! decision explains itself ([`explain`]). A rule's [`criteria`] may ask for a [`region`],
//! and the territory and skill strategies ask whether a rep [`fit`]s the lead. Everything
//! here is pure: the store passes in the lead, the rules with their strategy state, the
//! candidates' facts and the instant. The simulator ([`simulate()`]) replays the leads of a
//! [`range`] through a draft list, with [`fairness`] figures and [`breach`] estimates.

pub mod breach;
pub mod criteria;
pub mod explain;
pub mod fairness;
pub mod fit;
pub mod former;
pub mod hours;
pub mod range;
pub mod region;
pub mod rule;
pub mod simulate;
pub mod skip;
pub mod strategy;

pub use breach::{BreachRates, PastWindow};
pub use explain::{CandidateVerdict, FeedAlert, RoutingExplanation, RuleTrial, TrialResult};
pub use fairness::{Fairness, gini};
pub use fit::{SKILLS_MAX, parse_skills};
pub use former::{FormerOwner, FormerVerdict, LeadRoutingSettings, prefer_former};
pub use hours::WorkingHours;
pub use range::{MAX_RANGE_DAYS, SimulationRange};
pub use region::Region;
pub use rule::{
    Criteria, LeadFacts, Miss, RoutingRule, Target, TargetRep, TimeWindow, validate_rules,
};
pub use simulate::{RepOutcome, ReplayLead, Simulation, simulate};
pub use strategy::{CandidateFacts, DynamicWeights, Factors, Skip, Strategy, StrategyState};

use crate::availability::{FeedFallback, FeedHealth};
use crate::ids::{TeamId, UserId};
use chrono::{DateTime, FixedOffset, Utc};
use std::collections::HashMap;

/// What routing decided for one lead.
#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    /// The rep who gets the lead; `None` leaves it unrouted (or pooled).
    pub chosen: Option<UserId>,
    /// The team whose lead pool takes it, when a pool rule decided.
    pub pooled: Option<TeamId>,
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
        if let Some(miss) = rule.miss(lead, now.with_timezone(&local)) {
            trial.result = TrialResult::NoMatch { miss };
            trials.push(trial);
            continue;
        }
        if let Some(team) = rule.target.lead_pool {
            trial.result = TrialResult::Pooled { team };
            trials.push(trial);
            return Routing {
                chosen: None,
                pooled: Some(team),
                explanation: RoutingExplanation {
                    rules: trials,
                    chosen: None,
                    pooled: Some(team),
                    availability: None,
                    former_owner: None,
                    former_owner_name: None,
                },
                state: None,
            };
        }
        let marked;
        let candidates = match (rule.strategy, lead.industry.as_deref()) {
            (Strategy::Territory, _) => {
                let (province, city) = (lead.province.as_deref(), lead.city.as_deref());
                marked = fit::mark_territory(province, city, candidates);
                &marked
            }
            (Strategy::Skill, Some(industry)) => {
                marked = fit::mark_skill(industry, candidates);
                &marked
            }
            _ => candidates,
        };
        let pick = strategy::pick(rule, state, candidates, now);
        trial.candidates = pick.verdicts;
        match pick.chosen {
            Some(user) => {
                trial.result = TrialResult::Chosen { user };
                trials.push(trial);
                return Routing {
                    chosen: Some(user),
                    pooled: None,
                    explanation: RoutingExplanation {
                        rules: trials,
                        chosen: Some(user),
                        pooled: None,
                        availability: None,
                        former_owner: None,
                        former_owner_name: None,
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
        pooled: None,
        explanation: RoutingExplanation {
            rules: trials,
            chosen: None,
            pooled: None,
            availability: None,
            former_owner: None,
            former_owner_name: None,
        },
        state: None,
    }
}

/// Routes `lead` preferring `former` (the matched pool customer's last owner) when given:
/// they get it when [`prefer_former`] says so, else the rules decide; either way the
/// explanation carries the former owner's verdict.
pub fn route_with_former(
    lead: &LeadFacts,
    former: Option<&FormerOwner>,
    rules: &[(RoutingRule, StrategyState)],
    candidates: &HashMap<UserId, CandidateFacts>,
    now: DateTime<Utc>,
    local: FixedOffset,
) -> Routing {
    let verdict = former.map(|f| prefer_former(f, candidates, now));
    let name = former.and_then(|f| candidates.get(&f.user).map(|c| c.name.clone()));
    if let Some(FormerVerdict::Chosen { user }) = verdict {
        return Routing {
            chosen: Some(user),
            pooled: None,
            explanation: RoutingExplanation {
                rules: Vec::new(),
                chosen: Some(user),
                pooled: None,
                availability: None,
                former_owner: verdict,
                former_owner_name: name,
            },
            state: None,
        };
    }
    let mut routing = route(lead, rules, candidates, now, local);
    routing.explanation.former_owner = verdict;
    routing.explanation.former_owner_name = name;
    routing
}

/// Marks `routing` as decided without a trustworthy availability feed when `health` says
/// so: every such decision carries the alert in its explanation.
pub fn note_availability(routing: &mut Routing, health: FeedHealth, fallback: FeedFallback) {
    if health.is_alert() {
        routing.explanation.availability = Some(FeedAlert { health, fallback });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pool_rule_sends_the_lead_to_the_team_pool_and_says_so() {
        let mut pool = rule("认领", vec![], &[]);
        pool.target.lead_pool = Some(TeamId(4));
        let r = go(vec![rule("抖音", vec![2], &[7]), pool], &HashMap::new());
        assert_eq!((r.chosen, r.pooled), (None, Some(TeamId(4))));
        assert_eq!(r.explanation.pooled, Some(TeamId(4)));
        assert_eq!(
            r.explanation.deciding().map(|t| t.result),
            Some(TrialResult::Pooled { team: TeamId(4) })
        );
        assert_eq!(r.state, None);
    }

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
                lead_pool: None,
                team: None,
            },
            strategy: Strategy::RoundRobin,
            dynamic: None,
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
            active,
            ..CandidateFacts::available(name)
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
    fn a_skill_rule_skips_reps_without_the_industry_and_needs_one() {
        let mut skilled = rep("王芳", true);
        skilled.skills = vec!["机械设备".into()];
        skilled.open_leads = 3;
        let cands = HashMap::from([(UserId(7), rep("李强", true)), (UserId(8), skilled)]);
        let mut skill = rule("按专长", vec![], &[7, 8]);
        skill.strategy = Strategy::Skill;
        let rules = vec![(skill, StrategyState::default())];
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap();
        let utc = FixedOffset::east_opt(0).unwrap();
        let lead = LeadFacts {
            source: 1,
            industry: Some("机械设备".into()),
            ..LeadFacts::default()
        };
        let r = route(&lead, &rules, &cands, now, utc);
        // The skilled rep gets it although more loaded; the other is skipped, and says why.
        assert_eq!(r.chosen, Some(UserId(8)));
        let skip = r.explanation.rules[0].candidates[0].skip.clone();
        assert_eq!(
            skip,
            Some(Skip::NoSkill {
                industry: "机械设备".into()
            })
        );
        let other = LeadFacts {
            industry: Some("化工".into()),
            ..lead.clone()
        };
        let r = route(&other, &rules, &cands, now, utc);
        assert_eq!(r.explanation.rules[0].result, TrialResult::AllSkipped);
        let none = LeadFacts {
            industry: None,
            ..lead
        };
        let r = route(&none, &rules, &cands, now, utc);
        let miss = Miss::NoIndustry;
        assert_eq!(r.explanation.rules[0].result, TrialResult::NoMatch { miss });
        assert!(r.explanation.rules[0].candidates.is_empty());
    }

    #[test]
    fn a_territory_rule_needs_a_place_and_skips_reps_who_do_not_cover_it() {
        let mut east = rep("王芳", true);
        east.territory = vec!["浙江".into()];
        let cands = HashMap::from([(UserId(7), rep("李强", true)), (UserId(8), east)]);
        let mut territory = rule("按区域", vec![], &[7, 8]);
        territory.strategy = Strategy::Territory;
        let rules = vec![(territory, StrategyState::default())];
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap();
        let utc = FixedOffset::east_opt(0).unwrap();
        let lead = LeadFacts {
            source: 1,
            province: Some("浙江省".into()),
            ..LeadFacts::default()
        };
        let r = route(&lead, &rules, &cands, now, utc);
        assert_eq!(r.chosen, Some(UserId(8)));
        let skip = r.explanation.rules[0].candidates[0].skip.clone();
        assert_eq!(skip, Some(Skip::OutOfTerritory));
        let nowhere = LeadFacts {
            source: 1,
            ..LeadFacts::default()
        };
        let r = route(&nowhere, &rules, &cands, now, utc);
        let miss = Miss::NoPlace;
        assert_eq!(r.explanation.rules[0].result, TrialResult::NoMatch { miss });
        assert!(r.explanation.rules[0].candidates.is_empty());
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
