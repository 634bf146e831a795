//! Fairness figures of a distribution of leads over reps: the Gini coefficient of the counts
//! and the largest deviation of a rep's share from their target share.

use serde::{Deserialize, Serialize};

/// How evenly leads were spread.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Fairness {
    /// The largest `|share − target share|` of any rep (0 = every rep got exactly their
    /// target share; 0.05 = someone is five percentage points off).
    pub max_deviation: f64,
    /// Gini coefficient of the counts received by the reps the rules meant to get leads:
    /// 0 when everyone got as many, towards 1 when one rep got everything. It ignores
    /// weights, so weighted rules have a Gini above 0 on purpose; the deviation is the
    /// measure against the rules' intent.
    pub gini: f64,
}

/// The Gini coefficient of `counts`: the mean absolute difference between every two counts,
/// divided by twice the mean. 0 for no counts or all zeros; `[0, 0, 0, 4]` is 0.75 (the
/// largest possible over four reps is `(n − 1) / n`).
pub fn gini(counts: &[u32]) -> f64 {
    let n = counts.len();
    let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    if n == 0 || total == 0 {
        return 0.0;
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    // With the counts sorted ascending, Σᵢ Σⱼ |xᵢ − xⱼ| = 2 Σᵢ (2i − n − 1) xᵢ (i from 1),
    // which is O(n log n) instead of every pair.
    let weighted: i128 = sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| (2 * (i as i128 + 1) - n as i128 - 1) * i128::from(x))
        .sum();
    weighted as f64 / (n as f64 * total as f64)
}

/// The largest absolute value of `deviations` (0 when there are none).
pub fn max_deviation(deviations: impl IntoIterator<Item = f64>) -> f64 {
    deviations.into_iter().map(f64::abs).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_equal_counts_is_zero_and_of_one_winner_is_n_minus_one_over_n() {
        assert_eq!(gini(&[1, 1, 1, 1]), 0.0);
        assert_eq!(gini(&[7, 7]), 0.0);
        assert_eq!(gini(&[0, 0, 0, 4]), 0.75);
        assert_eq!(gini(&[4, 0, 0, 0]), 0.75, "order does not matter");
        assert_eq!(gini(&[0, 10]), 0.5);
    }

    #[test]
    fn gini_of_a_known_spread() {
        // Pairs of [1, 2, 3]: |1−2| + |1−3| + |2−3| = 4, twice over = 8; 8 / (2 · 9 · 2) = 2/9.
        assert!((gini(&[1, 2, 3]) - 2.0 / 9.0).abs() < 1e-12);
        // [2, 1, 1]: differences 1 + 1 + 0 = 2, twice = 4; 4 / (2 · 9 · 4/3) = 1/6.
        assert!((gini(&[2, 1, 1]) - 1.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn gini_of_nothing_is_zero() {
        assert_eq!(gini(&[]), 0.0);
        assert_eq!(gini(&[0, 0, 0]), 0.0);
    }

    #[test]
    fn max_deviation_takes_the_largest_either_way() {
        assert_eq!(max_deviation([0.25, -0.5, 0.125]), 0.5);
        assert_eq!(max_deviation([]), 0.0);
    }
}
