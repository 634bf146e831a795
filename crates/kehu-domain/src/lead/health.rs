//! Allocation health (分配健康度): how leads were shared against each rep's target share, and
//! how well windows were kept. Pure: the store counts, this turns counts into shares.

use crate::ids::UserId;
use chrono::{DateTime, Utc};

/// What the store counted for one rep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepCounts {
    /// The rep.
    pub user: UserId,
    /// Their name.
    pub name: String,
    /// Leads they got in the last 7 days.
    pub received_7: u32,
    /// …in the last 30 days.
    pub received_30: u32,
    /// Leads they have and have not answered yet.
    pub open: u32,
    /// Leads of the last 30 days whose window they missed (answered late, or not yet and
    /// past due).
    pub breached_30: u32,
    /// Since when their oldest unanswered lead waits.
    pub oldest_open: Option<DateTime<Utc>>,
    /// Their weight in the active routing rules (0: in none).
    pub weight: u32,
}

/// One rep's line of the health table.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareLine {
    /// The counts it comes from.
    pub counts: RepCounts,
    /// Their share of the scope's leads, last 7 days (0–1).
    pub share_7: f64,
    /// …last 30 days.
    pub share_30: f64,
    /// Their target share by rule weight (0–1).
    pub target: f64,
    /// `share_30 − target`: positive means more than their share.
    pub deviation_30: f64,
}

/// Shares and targets for `reps`: a rep's target is their rule weight over the scope's total
/// weight (every rep equal when no rule names any of them).
pub fn share_lines(reps: Vec<RepCounts>) -> Vec<ShareLine> {
    let total = |f: fn(&RepCounts) -> u32| reps.iter().map(|r| f64::from(f(r))).sum::<f64>();
    let (all_7, all_30, weights) = (
        total(|r| r.received_7),
        total(|r| r.received_30),
        total(|r| r.weight),
    );
    let n = reps.len().max(1) as f64;
    let ratio = |part: u32, whole: f64| {
        if whole > 0.0 {
            f64::from(part) / whole
        } else {
            0.0
        }
    };
    reps.into_iter()
        .map(|c| {
            let target = if weights > 0.0 {
                ratio(c.weight, weights)
            } else {
                1.0 / n
            };
            let share_30 = ratio(c.received_30, all_30);
            ShareLine {
                share_7: ratio(c.received_7, all_7),
                share_30,
                target,
                deviation_30: share_30 - target,
                counts: c,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(id: i64, received_30: u32, weight: u32) -> RepCounts {
        RepCounts {
            user: UserId(id),
            name: format!("rep{id}"),
            received_7: received_30 / 4,
            received_30,
            open: 0,
            breached_30: 0,
            oldest_open: None,
            weight,
        }
    }

    #[test]
    fn shares_follow_the_counts_and_targets_the_weights() {
        let lines = share_lines(vec![rep(1, 30, 2), rep(2, 10, 1), rep(3, 0, 1)]);
        let got: Vec<(f64, f64)> = lines.iter().map(|l| (l.share_30, l.target)).collect();
        assert_eq!(got, [(0.75, 0.5), (0.25, 0.25), (0.0, 0.25)]);
        assert!(
            (lines[2].deviation_30 + 0.25).abs() < 1e-9,
            "a starved rep shows −25 points"
        );
    }

    #[test]
    fn without_weights_or_leads_every_rep_is_equal_and_nothing_divides_by_zero() {
        let lines = share_lines(vec![rep(1, 0, 0), rep(2, 0, 0)]);
        assert_eq!(lines[0].target, 0.5);
        assert_eq!(lines[0].share_30, 0.0);
        assert!(share_lines(Vec::new()).is_empty());
    }
}
