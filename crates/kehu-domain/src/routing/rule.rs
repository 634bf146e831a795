//! Routing rules (分配规则): criteria a lead must meet, the reps it may go to, a strategy.

pub use super::criteria::{Criteria, LeadFacts, Miss, TimeWindow};
use super::strategy::{DynamicWeights, FACTOR_WEIGHT_MAX, Strategy};
use crate::error::{FieldError, FieldErrors};
use crate::ids::{TeamId, UserId};
use crate::lead::profile::{INDUSTRY_MAX, TAG_MAX};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// Most rules in one list.
pub const RULES_MAX: usize = 200;
/// Most reps in one target.
pub const REPS_MAX: usize = 500;
/// Longest rule name, in characters.
pub const NAME_MAX: usize = 100;
/// Largest weight of one rep.
pub const WEIGHT_MAX: u32 = 1000;

/// One rule of the ordered list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// Shown in explanations ("华东官网表单").
    pub name: String,
    /// Which leads it takes; empty criteria take every lead.
    #[serde(default)]
    pub criteria: Criteria,
    /// The reps it routes to.
    pub target: Target,
    /// How it picks among them.
    pub strategy: Strategy,
    /// The dynamic strategy's factor weights (defaults: 1 each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic: Option<DynamicWeights>,
    /// An inactive rule is skipped (and says so).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl RoutingRule {
    /// Why the rule does not take `lead` at local time `at`: the first criterion it fails,
    /// or, for a skill rule, that the lead names no industry to match skills with.
    pub fn miss(&self, lead: &LeadFacts, at: DateTime<FixedOffset>) -> Option<Miss> {
        // A strategy that matches reps by what the lead gives needs the lead to give it.
        self.criteria
            .miss(lead, at)
            .or_else(|| match self.strategy {
                Strategy::Skill if lead.industry.is_none() => Some(Miss::NoIndustry),
                Strategy::Territory if lead.province.is_none() && lead.city.is_none() => {
                    Some(Miss::NoPlace)
                }
                _ => None,
            })
    }
}

/// The reps a rule routes to, in order (round robin follows it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The reps (empty when the rule sends leads to a lead pool).
    #[serde(default)]
    pub reps: Vec<TargetRep>,
    /// A team whose lead pool (认领池) takes the leads instead of a rep: its reps claim them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_pool: Option<TeamId>,
    /// A team whose active reps (its subtree's, by name) are the target, read at each lead:
    /// who joins or leaves the team joins or leaves the rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamId>,
}

/// One rep of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetRep {
    /// The rep.
    pub user: UserId,
    /// Their weight under weighted round robin (default 1).
    #[serde(default)]
    pub weight: Option<u32>,
}

impl TargetRep {
    /// The weight, 1 when unset.
    pub fn weight(&self) -> u32 {
        self.weight.unwrap_or(1)
    }
}

/// Checks a whole list; errors name the field (`rules[1].target.reps`).
pub fn validate_rules(rules: &[RoutingRule]) -> Result<(), FieldErrors> {
    let mut errs = FieldErrors::default();
    if rules.len() > RULES_MAX {
        errs.0.push(FieldError::new("rules", "routing_too_many"));
    }
    for (i, r) in rules.iter().enumerate() {
        let at = |f: &str| format!("rules[{i}].{f}");
        let name = r.name.trim();
        if name.is_empty() {
            errs.0.push(FieldError::new(at("name"), "required"));
        } else if name.chars().count() > NAME_MAX {
            errs.0.push(FieldError::new(at("name"), "too_long"));
        }
        // Exactly one kind of target: reps, a team's reps, or a team's lead pool.
        let kinds = usize::from(!r.target.reps.is_empty())
            + usize::from(r.target.lead_pool.is_some())
            + usize::from(r.target.team.is_some());
        if kinds > 1 {
            errs.0
                .push(FieldError::new(at("target"), "routing_one_target"));
        } else if kinds == 0 {
            errs.0.push(FieldError::new(at("target.reps"), "required"));
        } else if r.target.reps.len() > REPS_MAX {
            errs.0
                .push(FieldError::new(at("target.reps"), "routing_too_many"));
        }
        for (j, rep) in r.target.reps.iter().enumerate() {
            if r.target.reps[..j].iter().any(|o| o.user == rep.user) {
                errs.0.push(FieldError::new(
                    at(&format!("target.reps[{j}].user")),
                    "routing_rep_repeated",
                ));
            }
            if rep.weight.is_some_and(|w| w == 0 || w > WEIGHT_MAX) {
                errs.0.push(FieldError::new(
                    at(&format!("target.reps[{j}].weight")),
                    "routing_weight_range",
                ));
            }
        }
        if let Some(w) = r.dynamic {
            for (f, v) in [
                ("saturation", w.saturation),
                ("responsiveness", w.responsiveness),
                ("capability", w.capability),
            ] {
                if v > FACTOR_WEIGHT_MAX {
                    errs.0.push(FieldError::new(
                        at(&format!("dynamic.{f}")),
                        "routing_factor_range",
                    ));
                }
            }
        }
        if r.criteria.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            errs.0.push(FieldError::new(
                at("criteria.weekdays"),
                "routing_weekday_range",
            ));
        }
        if r.criteria.time.is_some_and(|w| w.from == w.until) {
            errs.0
                .push(FieldError::new(at("criteria.time"), "routing_window_empty"));
        }
        labels(
            &mut errs,
            &at("criteria.industries"),
            &r.criteria.industries,
            INDUSTRY_MAX,
        );
        labels(&mut errs, &at("criteria.tags"), &r.criteria.tags, TAG_MAX);
    }
    errs.into_result()
}

/// A label a lead could carry: not blank, and no longer than the lead's own may be (a longer
/// one could never match).
fn labels(errs: &mut FieldErrors, field: &str, list: &[String], max: usize) {
    for (j, label) in list.iter().enumerate() {
        let n = label.trim().chars().count();
        let code = match n {
            0 => "required",
            n if n > max => "too_long",
            _ => continue,
        };
        errs.0.push(FieldError::new(format!("{field}[{j}]"), code));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_field() {
        let r = RoutingRule {
            name: "ok".into(),
            criteria: Criteria::default(),
            target: Target::default(),
            strategy: Strategy::RoundRobin,
            dynamic: None,
            active: true,
        };
        let mut bad = RoutingRule {
            name: " ".into(),
            ..r.clone()
        };
        bad.criteria.industries = vec!["机械设备".into(), " ".into()];
        bad.criteria.tags = vec!["标".repeat(TAG_MAX + 1)];
        let errs = validate_rules(&[r, bad]).unwrap_err().0;
        let fields: Vec<(&str, &str)> = errs.iter().map(|e| (e.field.as_ref(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("rules[0].target.reps", "required"),
                ("rules[1].name", "required"),
                ("rules[1].target.reps", "required"),
                ("rules[1].criteria.industries[1]", "required"),
                ("rules[1].criteria.tags[0]", "too_long"),
            ]
        );
    }
}
