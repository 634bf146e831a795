//! A rule's criteria (条件): what a lead must be like for the rule to take it, and the first
//! criterion a lead fails. Every list criterion matches when the lead has any of its values
//! (tags included: a rule for `["ERP", "MES"]` takes a lead tagged with either); an empty list
//! matches every lead. A criterion asking for something the lead does not give (no province,
//! no industry …) does not match, and says so apart from a lead that gives another value.

use super::region::{Region, same_place};
use crate::customer::Grade;
use crate::lead::profile::same_label;
use chrono::{DateTime, Datelike, FixedOffset, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

/// What a lead must be like for a rule to take it. Every empty part matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    /// Lead source ids.
    #[serde(default)]
    pub sources: Vec<i64>,
    /// Regions (华东 …), matched against the lead's province.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<Region>,
    /// Provinces, with or without 省/市 (`江苏` takes `江苏省`).
    #[serde(default)]
    pub provinces: Vec<String>,
    /// Cities, with or without 市.
    #[serde(default)]
    pub cities: Vec<String>,
    /// Industries, compared width- and case-folded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub industries: Vec<String>,
    /// Grades: the matched customer's, else the one the lead states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<Grade>,
    /// Tags: the lead has at least one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
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

/// What routing knows of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeadFacts {
    /// Its source.
    pub source: i64,
    /// Province, if given.
    pub province: Option<String>,
    /// City, if given.
    pub city: Option<String>,
    /// Industry: the lead's own, else its matched customer's.
    pub industry: Option<String>,
    /// Grade: its matched customer's, else the one the lead states.
    pub grade: Option<Grade>,
    /// Tags.
    pub tags: Vec<String>,
}

/// The first criterion a lead failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Miss {
    /// Another source.
    Source,
    /// A province outside the rule's regions.
    Region,
    /// Another province.
    Province,
    /// Another city.
    City,
    /// Another industry.
    Industry,
    /// Another grade.
    Grade,
    /// None of the rule's tags.
    Tags,
    /// Another weekday.
    Weekday,
    /// Outside the time window.
    Time,
    /// The rule asks for a province (or region) and the lead gives none.
    NoProvince,
    /// The rule asks for a city and the lead gives none.
    NoCity,
    /// The rule asks for an industry (or matches skills) and the lead gives none.
    NoIndustry,
    /// The rule asks for a grade and neither the lead nor its customer has one.
    NoGrade,
    /// The rule asks for tags and the lead has none.
    NoTags,
    /// A territory rule, and the lead names neither province nor city.
    NoPlace,
}

impl Miss {
    /// Stable code (locale key suffix).
    pub fn code(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Region => "region",
            Self::Province => "province",
            Self::City => "city",
            Self::Industry => "industry",
            Self::Grade => "grade",
            Self::Tags => "tags",
            Self::Weekday => "weekday",
            Self::Time => "time",
            Self::NoProvince => "no_province",
            Self::NoCity => "no_city",
            Self::NoIndustry => "no_industry",
            Self::NoGrade => "no_grade",
            Self::NoTags => "no_tags",
            Self::NoPlace => "no_place",
        }
    }
}

/// `None` when `wanted` is empty or `value` matches one of it; else `lacking` without a value
/// and `other` with another one.
fn within<W, V: ?Sized>(
    wanted: &[W],
    value: Option<&V>,
    matches: impl Fn(&W, &V) -> bool,
    (other, lacking): (Miss, Miss),
) -> Option<Miss> {
    match value {
        _ if wanted.is_empty() => None,
        None => Some(lacking),
        Some(v) if wanted.iter().any(|w| matches(w, v)) => None,
        Some(_) => Some(other),
    }
}

impl Criteria {
    /// The first criterion `lead`, arriving at local time `at`, fails; `None` when it matches.
    pub fn miss(&self, lead: &LeadFacts, at: DateTime<FixedOffset>) -> Option<Miss> {
        if !self.sources.is_empty() && !self.sources.contains(&lead.source) {
            return Some(Miss::Source);
        }
        let province = lead.province.as_deref().filter(|p| !p.trim().is_empty());
        let city = lead.city.as_deref().filter(|c| !c.trim().is_empty());
        let tags = (!lead.tags.is_empty()).then_some(lead.tags.as_slice());
        let place = |w: &String, v: &str| same_place(w, v);
        within(
            &self.regions,
            province,
            |r, p| r.contains(p),
            (Miss::Region, Miss::NoProvince),
        )
        .or_else(|| {
            within(
                &self.provinces,
                province,
                place,
                (Miss::Province, Miss::NoProvince),
            )
        })
        .or_else(|| within(&self.cities, city, place, (Miss::City, Miss::NoCity)))
        .or_else(|| {
            let label = |w: &String, v: &str| same_label(w, v);
            let industry = lead.industry.as_deref();
            within(
                &self.industries,
                industry,
                label,
                (Miss::Industry, Miss::NoIndustry),
            )
        })
        .or_else(|| {
            let grade = lead.grade.as_ref();
            within(
                &self.grades,
                grade,
                |w, g| w == g,
                (Miss::Grade, Miss::NoGrade),
            )
        })
        .or_else(|| {
            let any = |w: &String, have: &[String]| have.iter().any(|t| same_label(w, t));
            within(&self.tags, tags, any, (Miss::Tags, Miss::NoTags))
        })
        .or_else(|| self.time_miss(at))
    }

    /// The weekday or time-of-day criterion `at` fails.
    fn time_miss(&self, at: DateTime<FixedOffset>) -> Option<Miss> {
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

#[cfg(test)]
#[path = "criteria_tests.rs"]
mod tests;
