//! Hand-over (交接): when a rep leaves, every customer they own goes to one rep, is spread
//! over a team, or goes back to the pool — decided here, applied one customer at a time.

use crate::ids::{CustomerId, UserId};
use serde::Serialize;

/// Where a departing rep's customers go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum HandoverTarget {
    /// All to one rep.
    Rep {
        /// The rep.
        user_id: UserId,
    },
    /// Spread evenly over these reps, the least loaded first.
    Spread {
        /// The reps, each with the number of customers they own now.
        reps: Vec<(UserId, u32)>,
    },
    /// Back to the pool.
    Pool,
}

/// Who receives each customer when spreading: every customer goes to the rep who would then
/// own the fewest (ties to the lower id), so a team ends as even as it can. Deterministic, so
/// a preview and the hand-over agree.
pub fn spread(customers: &[CustomerId], reps: &[(UserId, u32)]) -> Vec<(CustomerId, UserId)> {
    if reps.is_empty() {
        return Vec::new();
    }
    let mut load: Vec<(u64, UserId)> = reps.iter().map(|(u, n)| (u64::from(*n), *u)).collect();
    customers
        .iter()
        .map(|c| {
            let next = load
                .iter_mut()
                .min_by_key(|(n, u)| (*n, u.0))
                .expect("reps is not empty");
            next.0 += 1;
            (*c, next.1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_least_loaded_rep_receives_first() {
        let customers: Vec<_> = (1..=5).map(CustomerId).collect();
        let reps = [(UserId(1), 10), (UserId(2), 7), (UserId(3), 7)];
        let to: Vec<_> = spread(&customers, &reps)
            .into_iter()
            .map(|(_, u)| u.0)
            .collect();
        // 2 and 3 catch up with 1 (9, 9 after four), then one more to the lowest id at 9.
        assert_eq!(to, [2, 3, 2, 3, 2]);
    }

    #[test]
    fn nobody_to_spread_over_means_no_plan() {
        assert!(spread(&[CustomerId(1)], &[]).is_empty());
    }

    proptest! {
        #[test]
        fn spreading_evens_out_loads(
            n in 0usize..300,
            loads in proptest::collection::vec(0u32..50, 1..8),
        ) {
            let customers: Vec<_> = (0..n as i64).map(CustomerId).collect();
            let reps: Vec<_> = loads.iter().enumerate().map(|(i, l)| (UserId(i as i64), *l)).collect();
            let plan = spread(&customers, &reps);
            prop_assert_eq!(plan.len(), n);
            let mut after: Vec<u64> = loads.iter().map(|l| u64::from(*l)).collect();
            for (_, u) in &plan {
                after[u.0 as usize] += 1;
            }
            // Whoever received anything ends at most one above the least loaded rep.
            let min = *after.iter().min().unwrap_or(&0);
            for (i, l) in loads.iter().enumerate() {
                if after[i] > u64::from(*l) {
                    prop_assert!(after[i] <= min + 1);
                }
            }
        }
    }
}
