//! Expected response-window breaches (黄金响应窗口超时) for the simulator, estimated from
//! history: how often each rep let a window pass on the leads they actually had.
//!
//! A past lead counts once its clock is settled at `now`: answered (breached when the answer
//! came after `window_due_at`), or unanswered with the window over (breached). Unanswered
//! leads whose window is still open say nothing yet and are left out. A rep with few settled
//! leads is pulled towards the team's rate, as if they had [`PRIOR_LEADS`] more leads at that
//! rate, so one missed lead out of one does not predict that every lead will be missed.

use crate::ids::UserId;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// How many leads at the team's rate a rep's own record is blended with.
pub const PRIOR_LEADS: f64 = 10.0;

/// A past lead that had a response window: its rep, when the window closed, and the first
/// response, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastWindow {
    /// The rep who has (or had) the lead.
    pub rep: UserId,
    /// When the window closed (`window_due_at`).
    pub due: DateTime<Utc>,
    /// The first response (`responded_at`).
    pub responded: Option<DateTime<Utc>>,
}

impl PastWindow {
    /// `Some(breached)` once the outcome is known at `now`; `None` while it may still be met.
    pub fn outcome(&self, now: DateTime<Utc>) -> Option<bool> {
        match self.responded {
            Some(at) => Some(at > self.due),
            None if self.due <= now => Some(true),
            None => None,
        }
    }
}

/// Each rep's estimated chance of letting a response window pass.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BreachRates {
    /// Settled and breached leads per rep.
    by_rep: HashMap<UserId, (u32, u32)>,
    /// The team's rate; `None` when no past lead is settled (nothing to estimate from).
    overall: Option<f64>,
}

impl BreachRates {
    /// The rates from `history`, judged at `now`.
    pub fn from_history(history: &[PastWindow], now: DateTime<Utc>) -> BreachRates {
        let mut by_rep: HashMap<UserId, (u32, u32)> = HashMap::new();
        let (mut settled, mut breached) = (0u32, 0u32);
        for (rep, missed) in history
            .iter()
            .filter_map(|p| p.outcome(now).map(|b| (p.rep, b)))
        {
            let e = by_rep.entry(rep).or_default();
            e.0 += 1;
            settled += 1;
            if missed {
                e.1 += 1;
                breached += 1;
            }
        }
        let overall = (settled > 0).then(|| f64::from(breached) / f64::from(settled));
        BreachRates { by_rep, overall }
    }

    /// Whether there was any history to estimate from.
    pub fn known(&self) -> bool {
        self.overall.is_some()
    }

    /// The estimated chance that `rep` lets a window pass (0 without any history).
    pub fn rate(&self, rep: UserId) -> f64 {
        let Some(team) = self.overall else {
            return 0.0;
        };
        let (settled, breached) = self.by_rep.get(&rep).copied().unwrap_or_default();
        (f64::from(breached) + PRIOR_LEADS * team) / (f64::from(settled) + PRIOR_LEADS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()
    }

    fn past(rep: i64, due_hours_ago: i64, answered_after: Option<i64>) -> PastWindow {
        let due = now() - Duration::hours(due_hours_ago);
        PastWindow {
            rep: UserId(rep),
            due,
            responded: answered_after.map(|m| due + Duration::minutes(m)),
        }
    }

    #[test]
    fn late_or_missing_answers_breach_and_open_windows_do_not_count_yet() {
        assert_eq!(past(1, 5, Some(-10)).outcome(now()), Some(false));
        assert_eq!(past(1, 5, Some(10)).outcome(now()), Some(true));
        assert_eq!(past(1, 5, None).outcome(now()), Some(true));
        assert_eq!(past(1, -1, None).outcome(now()), None);
    }

    #[test]
    fn a_rep_rate_is_their_record_blended_with_the_team_rate() {
        // Rep 1: 10 settled, 5 breached; rep 2: 10 settled, none breached. Team: 5/20.
        let mut h: Vec<PastWindow> = (0..10)
            .map(|i| past(1, 5, (i % 2 == 0).then_some(-1)))
            .collect();
        h.extend((0..10).map(|_| past(2, 5, Some(-1))));
        h.push(past(2, -1, None));
        let r = BreachRates::from_history(&h, now());
        // (5 + 10 · 0.25) / (10 + 10) = 0.375; (0 + 2.5) / 20 = 0.125.
        assert_eq!(r.rate(UserId(1)), 0.375);
        assert_eq!(r.rate(UserId(2)), 0.125);
        assert_eq!(r.rate(UserId(3)), 0.25, "no record: the team's rate");
        assert!(r.known());
    }

    #[test]
    fn no_history_estimates_nothing() {
        let r = BreachRates::from_history(&[past(1, -1, None)], now());
        assert!(!r.known());
        assert_eq!(r.rate(UserId(1)), 0.0);
    }
}
