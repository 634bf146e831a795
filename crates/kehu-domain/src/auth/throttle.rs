//! Login throttling: at most N failures per key within a sliding window.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// Counts recent failures per key (a login, or an IP address).
#[derive(Debug)]
pub struct Throttle {
    max_failures: usize,
    window: Duration,
    failures: HashMap<String, Vec<DateTime<Utc>>>,
}

impl Throttle {
    /// Allows `max_failures` failures per key within `window`.
    pub fn new(max_failures: usize, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            failures: HashMap::new(),
        }
    }

    /// `Err(retry_at)` when `key` has used up its failures; forgets expired ones.
    pub fn check(&mut self, key: &str, now: DateTime<Utc>) -> Result<(), DateTime<Utc>> {
        let Some(list) = self.failures.get_mut(key) else {
            return Ok(());
        };
        list.retain(|t| *t + self.window > now);
        if list.len() >= self.max_failures {
            Err(list[0] + self.window)
        } else {
            if list.is_empty() {
                self.failures.remove(key);
            }
            Ok(())
        }
    }

    /// Records a failed attempt for `key`.
    pub fn record_failure(&mut self, key: &str, now: DateTime<Utc>) {
        self.failures.entry(key.to_owned()).or_default().push(now);
        // Bound memory under a spray of distinct keys: drop keys with nothing recent.
        if self.failures.len() > 10_000 {
            let window = self.window;
            self.failures
                .retain(|_, l| l.last().is_some_and(|t| *t + window > now));
        }
    }

    /// Forgets `key` after a success.
    pub fn reset(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn blocks_after_max_failures_until_window_passes() {
        let t0 = Utc
            .with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
            .single()
            .expect("valid");
        let mut th = Throttle::new(3, Duration::minutes(15));
        for i in 0..3 {
            assert!(th.check("zhangsan", t0 + Duration::seconds(i)).is_ok());
            th.record_failure("zhangsan", t0 + Duration::seconds(i));
        }
        assert_eq!(
            th.check("zhangsan", t0 + Duration::minutes(1)),
            Err(t0 + Duration::minutes(15))
        );
        assert!(th.check("lisi", t0).is_ok(), "other keys are unaffected");
        assert!(th.check("zhangsan", t0 + Duration::minutes(16)).is_ok());
        th.record_failure("zhangsan", t0);
        th.reset("zhangsan");
        assert!(th.check("zhangsan", t0).is_ok());
    }
}
