//! Per-token intake rate limits (GCRA via `governor`), kept in memory per instance: with N
//! instances behind a load balancer a token may send up to N times its rate. That bounds a
//! runaway or abused form; exact global limits would cost a database write per request.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The limiters of every token seen by this instance.
#[derive(Debug, Default)]
pub struct IntakeLimits {
    by_token: Mutex<HashMap<i64, (i64, Arc<DefaultDirectRateLimiter>)>>,
}

impl IntakeLimits {
    /// Takes one request of `token` (allowed `per_minute`, bursts up to the same number);
    /// `Err(wait)` when over the limit, with how long until the next one is allowed.
    pub fn check(&self, token: i64, per_minute: i64) -> Result<(), Duration> {
        let limiter = self.limiter(token, per_minute);
        limiter
            .check()
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// The token's limiter, replaced when its rate was changed.
    fn limiter(&self, token: i64, per_minute: i64) -> Arc<DefaultDirectRateLimiter> {
        let mut map = self.by_token.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(&token) {
            Some((rate, l)) if *rate == per_minute => Arc::clone(l),
            _ => {
                let n = u32::try_from(per_minute.max(1)).unwrap_or(u32::MAX);
                let quota = Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
                let l = Arc::new(RateLimiter::direct(quota));
                map.insert(token, (per_minute, Arc::clone(&l)));
                l
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gets_its_burst_then_waits_and_tokens_are_apart() {
        let limits = IntakeLimits::default();
        for _ in 0..3 {
            assert!(limits.check(1, 3).is_ok());
        }
        let wait = limits.check(1, 3).expect_err("over the limit");
        assert!(
            wait > Duration::from_secs(1) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(
            limits.check(2, 3).is_ok(),
            "another token has its own budget"
        );
    }
}
