//! Routing rules (分配规则): criteria a lead must meet, the reps it may go to, a strategy.

use super::strategy::{DynamicWeights, FACTOR_WEIGHT_MAX, Strategy};
use crate::error::{FieldError, FieldErrors};
use crate::ids::{TeamId, UserId};
use chrono::{DateTime, Datelike, FixedOffset, NaiveTime, Timelike};
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

/// What a lead must be like for a rule to take it. Every empty part matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    /// Lead source ids.
    #[serde(default)]
    pub sources: Vec<i64>,
    /// Provinces, as the lead names them.
    #[serde(default)]
    pub provinces: Vec<String>,
    /// Cities.
    #[serde(default)]
    pub cities: Vec<String>,
    /// ISO weekdays, 1 = Monday … 7 = Sunday, in the installation's local time.
    #[serde(default)]
    pub weekdays: Vec<u8>,
    /// Local time of day.
    #[serde(default)]
    pub time: Option<TimeWindow>,
}

/// A local time-of-day window, `from` inclusive, `until` exclusive; it may wrap midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    /// Start, `HH:MM`.
    pub from: NaiveTime,
    /// End, `HH:MM`.
    pub until: NaiveTime,
}

impl TimeWindow {
    /// Whether `t` falls in the window (which may cross midnight).
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.from <= self.until {
            self.from <= t && t < self.until
        } else {
            t >= self.from || t < self.until
        }
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

/// What routing knows of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeadFacts {
    /// Its source.
    pub source: i64,
    /// Province, if given.
    pub province: Option<String>,
    /// City, if given.
    pub city: Option<String>,
}

/// The first criterion a lead failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Miss {
    /// Another source.
    Source,
    /// Another province (or none given).
    Province,
    /// Another city (or none given).
    City,
    /// Another weekday.
    Weekday,
    /// Outside the time window.
    Time,
}

impl Miss {
    /// Stable code (locale key suffix).
    pub fn code(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Province => "province",
            Self::City => "city",
            Self::Weekday => "weekday",
            Self::Time => "time",
        }
    }
}

impl Criteria {
    /// The first criterion `lead`, arriving at local time `at`, fails; `None` when it matches.
    pub fn miss(&self, lead: &LeadFacts, at: DateTime<FixedOffset>) -> Option<Miss> {
        let within = |list: &[String], v: &Option<String>| {
            list.is_empty() || v.as_ref().is_some_and(|v| list.iter().any(|x| x == v))
        };
        if !self.sources.is_empty() && !self.sources.contains(&lead.source) {
            return Some(Miss::Source);
        }
        if !within(&self.provinces, &lead.province) {
            return Some(Miss::Province);
        }
        if !within(&self.cities, &lead.city) {
            return Some(Miss::City);
        }
        let day = u8::try_from(at.weekday().number_from_monday()).unwrap_or(0);
        if !self.weekdays.is_empty() && !self.weekdays.contains(&day) {
            return Some(Miss::Weekday);
        }
        let t = at.time().with_nanosecond(0).unwrap_or(at.time());
        match self.time {
            Some(w) if !w.contains(t) => Some(Miss::Time),
            _ => None,
        }
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
    }
    errs.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<FixedOffset> {
        let cn = FixedOffset::east_opt(8 * 3600).unwrap();
        cn.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    fn lead() -> LeadFacts {
        LeadFacts {
            source: 1,
            province: Some("江苏".into()),
            city: Some("苏州".into()),
        }
    }

    #[test]
    fn empty_criteria_match_everything() {
        assert_eq!(Criteria::default().miss(&lead(), at(2026, 11, 23, 3)), None);
    }

    #[test]
    fn each_criterion_names_its_miss() {
        let c = Criteria {
            sources: vec![2],
            ..Criteria::default()
        };
        assert_eq!(c.miss(&lead(), at(2026, 11, 23, 9)), Some(Miss::Source));
        let c = Criteria {
            provinces: vec!["浙江".into()],
            ..Criteria::default()
        };
        assert_eq!(c.miss(&lead(), at(2026, 11, 23, 9)), Some(Miss::Province));
        // 2026-11-23 is a Monday.
        let c = Criteria {
            weekdays: vec![6, 7],
            ..Criteria::default()
        };
        assert_eq!(c.miss(&lead(), at(2026, 11, 23, 9)), Some(Miss::Weekday));
        let night = TimeWindow {
            from: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            until: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        };
        let c = Criteria {
            time: Some(night),
            ..Criteria::default()
        };
        assert_eq!(c.miss(&lead(), at(2026, 11, 23, 12)), Some(Miss::Time));
        assert_eq!(c.miss(&lead(), at(2026, 11, 23, 23)), None);
        assert_eq!(c.miss(&lead(), at(2026, 11, 23, 8)), None);
    }

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
        let bad = RoutingRule {
            name: " ".into(),
            ..r.clone()
        };
        let errs = validate_rules(&[r, bad]).unwrap_err().0;
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(
            fields,
            [
                "rules[0].target.reps",
                "rules[1].name",
                "rules[1].target.reps"
            ]
        );
    }
}
