//! Field values as a rep would pick them, and the times things happened.

use super::{HISTORY_DAYS, china_local, from_china_local, pick_weighted};
use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Utc};
use kehu_domain::customer::{Grade, IntentLevel, Source};
use rand::Rng;
use rand::rngs::StdRng;

/// Creation times over the last [`HISTORY_DAYS`] days, in office hours, mostly on weekdays,
/// sorted.
pub(super) fn creation_times(
    rng: &mut StdRng,
    now: DateTime<Utc>,
    count: usize,
) -> Vec<DateTime<Utc>> {
    let today = china_local(now).date().and_time(NaiveTime::MIN);
    let mut times: Vec<DateTime<Utc>> = (0..count)
        .map(|_| {
            let mut day = today - TimeDelta::days(rng.random_range(1..=HISTORY_DAYS));
            // Sales offices are quiet at weekends, not closed.
            while day.weekday().number_from_monday() > 5 && !rng.random_bool(0.15) {
                day = today - TimeDelta::days(rng.random_range(1..=HISTORY_DAYS));
            }
            let second = rng.random_range((9 * 3600)..(18 * 3600 + 1800));
            from_china_local(day + TimeDelta::seconds(second))
        })
        .collect();
    times.sort();
    times
}

/// A source code: private buyers come from ads and Douyin more, companies from shows and
/// referrals. Codes added later still appear, rarely.
pub(super) fn source(rng: &mut StdRng, person: bool) -> &'static str {
    let weights: Vec<(&'static str, u32)> = Source::ALL
        .iter()
        .map(|s| {
            let w = match (s.code(), person) {
                ("web", _) => 25,
                ("phone_call", _) => 15,
                ("trade_show", false) | ("referral", false) => 20,
                ("douyin", true) | ("ads", true) => 25,
                ("douyin", false) | ("ads", false) | ("referral", true) => 8,
                ("other", _) => 4,
                _ => 2,
            };
            (s.code(), w)
        })
        .collect();
    pick_weighted(rng, &weights)
}

/// An intent code, medium the most common.
pub(super) fn intent(rng: &mut StdRng) -> &'static str {
    let weights: Vec<(&'static str, u32)> = IntentLevel::ALL
        .iter()
        .map(|i| {
            let w = match i.code() {
                "high" => 25,
                "medium" => 45,
                _ => 30,
            };
            (i.code(), w)
        })
        .collect();
    pick_weighted(rng, &weights)
}

/// A grade for ~70% of companies (fewer private buyers), B the most common.
pub(super) fn grade(rng: &mut StdRng, person: bool) -> Option<&'static str> {
    if !rng.random_bool(if person { 0.4 } else { 0.7 }) {
        return None;
    }
    let weights: Vec<(&'static str, u32)> = Grade::ALL
        .iter()
        .map(|g| {
            let w = match g.code() {
                "A" => 20,
                "B" => 45,
                _ => 35,
            };
            (g.code(), w)
        })
        .collect();
    Some(pick_weighted(rng, &weights))
}

/// A follow-up slot on the half hour in office hours, within the next 14 days, as the
/// `datetime-local` input sends it.
pub(super) fn next_follow_up(rng: &mut StdRng, now: DateTime<Utc>) -> String {
    let today = china_local(now).date().and_time(NaiveTime::MIN);
    let slot = |rng: &mut StdRng, days: i64| {
        today + TimeDelta::days(days) + TimeDelta::minutes(rng.random_range(18..36) * 30)
    };
    let days = rng.random_range(0..14);
    let mut at = slot(rng, days);
    if from_china_local(at) <= now {
        // Today's slot has passed: the rep meant the same time tomorrow.
        at += TimeDelta::days(1);
    }
    at.format("%Y-%m-%dT%H:%M").to_string()
}
