//! Claim rules (领取规则): limits per period, the ownership cap, the former owner's ban.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// A pool's claim rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimLimits {
    /// Claims per rep per local day.
    pub per_day: Option<u32>,
    /// Per local week (Monday to Sunday).
    pub per_week: Option<u32>,
    /// Per local calendar month.
    pub per_month: Option<u32>,
    /// Customers a rep may own at once (保有量上限), across all pools.
    pub ownership_cap: Option<u32>,
    /// Whether won customers count toward the cap.
    pub cap_counts_won: bool,
    /// Days a former owner may not claim the customer back.
    pub reclaim_ban_days: u32,
}

impl Default for ClaimLimits {
    /// No limits, no cap, no re-claim ban; won customers count toward a cap once one is set
    /// (a won customer is still owned and served).
    fn default() -> Self {
        ClaimLimits {
            per_day: None,
            per_week: None,
            per_month: None,
            ownership_cap: None,
            cap_counts_won: true,
            reclaim_ban_days: 0,
        }
    }
}

/// What the claim rules look at, counted in the claim's own transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClaimFacts {
    /// The rep's claims since the start of the local day, week and month
    /// (see [`ClaimLimits::windows`]).
    pub claimed: [u32; 3],
    /// Customers the rep owns now.
    pub owned: u32,
    /// Of those, won.
    pub owned_won: u32,
    /// When this rep last stopped owning this customer, if ever.
    pub lost_at: Option<DateTime<Utc>>,
}

/// Why a claim is refused, with the figures to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ClaimRefusal {
    /// The daily, weekly or monthly limit is reached.
    #[error("claim limit of {limit} per {period} reached")]
    Limit {
        /// `day`, `week` or `month`.
        period: &'static str,
        /// The limit.
        limit: u32,
    },
    /// The rep owns as many customers as they may.
    #[error("ownership cap {cap} reached ({owned} owned)")]
    OwnershipCap {
        /// Owned now (as counted for the cap).
        owned: u32,
        /// The cap.
        cap: u32,
    },
    /// The former owner's ban on claiming it back runs until `until`.
    #[error("former owner may not claim back until {until}")]
    ReclaimBanned {
        /// End of the ban.
        until: DateTime<Utc>,
    },
}

impl ClaimLimits {
    /// The starts of the local day, week and month containing `now`, in that order.
    pub fn windows(now: DateTime<Utc>, local: FixedOffset) -> [DateTime<Utc>; 3] {
        let today = now.with_timezone(&local).date_naive();
        let start = |d: chrono::NaiveDate| {
            local
                .from_local_datetime(&d.and_time(NaiveTime::MIN))
                .single()
                .map_or(now, |t| t.with_timezone(&Utc))
        };
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        [
            start(today),
            start(monday),
            start(today.with_day(1).unwrap_or(today)),
        ]
    }

    /// Whether one more claim is allowed.
    pub fn check(&self, facts: &ClaimFacts, now: DateTime<Utc>) -> Result<(), ClaimRefusal> {
        if let Some(lost) = facts.lost_at {
            let until = lost + Duration::days(i64::from(self.reclaim_ban_days));
            if now < until {
                return Err(ClaimRefusal::ReclaimBanned { until });
            }
        }
        let limits = [
            ("day", self.per_day),
            ("week", self.per_week),
            ("month", self.per_month),
        ];
        for ((period, limit), claimed) in limits.into_iter().zip(facts.claimed) {
            if let Some(limit) = limit.filter(|l| claimed >= *l) {
                return Err(ClaimRefusal::Limit { period, limit });
            }
        }
        let owned = if self.cap_counts_won {
            facts.owned
        } else {
            facts.owned.saturating_sub(facts.owned_won)
        };
        match self.ownership_cap {
            Some(cap) if owned >= cap => Err(ClaimRefusal::OwnershipCap { owned, cap }),
            _ => Ok(()),
        }
    }
}
