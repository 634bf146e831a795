//! The protection period (保护期): how long a new owner cannot lose a customer to recycling.
//!
//! A new owner is protected for `initial_days`; each effective follow-up made while protected
//! extends the protection by `extend_days`, never beyond `cap_days` after the owner got the
//! customer. A follow-up after the protection ran out does not bring it back: from then on the
//! pool's recycle rules watch the customer.

use crate::customer::{Grade, Source};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One protection policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectionPolicy {
    /// Days a new owner is protected.
    pub initial_days: u32,
    /// Days each effective follow-up adds.
    pub extend_days: u32,
    /// Longest protection, in days from the start of ownership.
    pub cap_days: u32,
}

impl Default for ProtectionPolicy {
    /// 15 days, +7 per effective follow-up, at most 60.
    fn default() -> Self {
        ProtectionPolicy {
            initial_days: 15,
            extend_days: 7,
            cap_days: 60,
        }
    }
}

/// The policies an admin configured: a default, overridden per source, overridden per grade.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectionRules {
    /// Used when nothing more specific applies.
    pub default: ProtectionPolicy,
    /// Per source of the customer.
    pub by_source: Vec<(Source, ProtectionPolicy)>,
    /// Per grade; wins over the source.
    pub by_grade: Vec<(Grade, ProtectionPolicy)>,
}

impl ProtectionRules {
    /// The policy for a customer of `source` and `grade`.
    pub fn policy(&self, source: Source, grade: Option<Grade>) -> ProtectionPolicy {
        let by_grade = grade.and_then(|g| self.by_grade.iter().find(|(k, _)| *k == g));
        let by_source = || self.by_source.iter().find(|(k, _)| *k == source);
        by_grade
            .map(|(_, p)| *p)
            .or_else(|| by_source().map(|(_, p)| *p))
            .unwrap_or(self.default)
    }
}

/// Longest protection any policy may grant, in days.
const MAX_DAYS: u32 = 3650;

impl ProtectionPolicy {
    fn check(&self, at: &str, errs: &mut crate::error::FieldErrors) {
        let field = |f: &str| format!("{at}{f}");
        for (name, days) in [
            ("initial_days", self.initial_days),
            ("extend_days", self.extend_days),
            ("cap_days", self.cap_days),
        ] {
            if days > MAX_DAYS {
                errs.0
                    .push(crate::error::FieldError::new(field(name), "too_large"));
            }
        }
        if self.cap_days < self.initial_days {
            errs.0.push(crate::error::FieldError::new(
                field("cap_days"),
                "below_initial",
            ));
        }
    }
}

impl ProtectionRules {
    /// Checks every policy; errors name the policy (`default.`, `by_source.web.`,
    /// `by_grade.A.`) and the field.
    pub fn validate(&self) -> Result<(), crate::error::FieldErrors> {
        let mut errs = crate::error::FieldErrors::default();
        self.default.check("default.", &mut errs);
        for (source, p) in &self.by_source {
            p.check(&format!("by_source.{}.", source.code()), &mut errs);
        }
        for (grade, p) in &self.by_grade {
            p.check(&format!("by_grade.{}.", grade.code()), &mut errs);
        }
        errs.into_result()
    }
}

/// When the protection ends, and what last extended it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Protection {
    /// The end (exclusive): protected while `now < until`.
    pub until: DateTime<Utc>,
    /// How many effective follow-ups extended it.
    pub extensions: u32,
    /// Whether the cap stopped it growing.
    pub capped: bool,
}

impl Protection {
    /// Whether the customer is protected at `now`.
    pub fn covers(&self, now: DateTime<Utc>) -> bool {
        now < self.until
    }
}

/// The protection of an owner since `owner_since`, given the times of their effective
/// follow-ups (any order; ones before `owner_since` are ignored).
pub fn protection(
    policy: ProtectionPolicy,
    owner_since: DateTime<Utc>,
    effective_follow_ups: &[DateTime<Utc>],
) -> Protection {
    let days = |n: u32| Duration::days(i64::from(n));
    let cap = owner_since + days(policy.cap_days.max(policy.initial_days));
    let mut out = Protection {
        until: owner_since + days(policy.initial_days),
        extensions: 0,
        capped: false,
    };
    let mut times: Vec<_> = effective_follow_ups
        .iter()
        .copied()
        .filter(|t| *t >= owner_since)
        .collect();
    times.sort_unstable();
    for t in times {
        if !out.covers(t) {
            break;
        }
        let extended = out.until + days(policy.extend_days);
        out.capped = extended > cap;
        out.until = extended.min(cap);
        out.extensions += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn day(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
            .single()
            .expect("t")
            + Duration::days(n)
    }

    #[test]
    fn a_new_owner_is_protected_for_the_initial_days_exactly() {
        let p = protection(ProtectionPolicy::default(), day(0), &[]);
        assert_eq!(p.until, day(15));
        assert!(p.covers(day(15) - Duration::seconds(1)));
        assert!(!p.covers(day(15)));
    }

    #[test]
    fn effective_follow_ups_extend_up_to_the_cap() {
        let policy = ProtectionPolicy::default();
        let p = protection(policy, day(0), &[day(10), day(1)]);
        assert_eq!((p.until, p.extensions, p.capped), (day(29), 2, false));
        let many: Vec<_> = (0..20).map(day).collect();
        let p = protection(policy, day(0), &many);
        assert_eq!((p.until, p.capped), (day(60), true));
    }

    #[test]
    fn a_follow_up_after_expiry_does_not_revive_protection() {
        let p = protection(ProtectionPolicy::default(), day(0), &[day(16)]);
        assert_eq!((p.until, p.extensions), (day(15), 0));
    }

    #[test]
    fn grade_overrides_source_overrides_default() {
        let short = ProtectionPolicy {
            initial_days: 3,
            ..ProtectionPolicy::default()
        };
        let long = ProtectionPolicy {
            initial_days: 30,
            ..ProtectionPolicy::default()
        };
        let rules = ProtectionRules {
            default: ProtectionPolicy::default(),
            by_source: vec![(Source::Douyin, short)],
            by_grade: vec![(Grade::A, long)],
        };
        assert_eq!(rules.policy(Source::Douyin, None), short);
        assert_eq!(rules.policy(Source::Douyin, Some(Grade::A)), long);
        assert_eq!(rules.policy(Source::Web, Some(Grade::B)), rules.default);
    }

    #[test]
    fn a_cap_below_the_initial_period_is_refused_by_name() {
        let rules = ProtectionRules {
            by_grade: vec![(
                Grade::A,
                ProtectionPolicy {
                    initial_days: 30,
                    extend_days: 7,
                    cap_days: 20,
                },
            )],
            ..ProtectionRules::default()
        };
        let errs = rules.validate().unwrap_err();
        assert_eq!(errs.0[0].field, "by_grade.A.cap_days");
        assert!(ProtectionRules::default().validate().is_ok());
    }

    proptest! {
        #[test]
        fn protection_never_exceeds_the_cap_nor_shrinks_below_the_start(
            offsets in proptest::collection::vec(-10i64..100, 0..30),
            initial in 0u32..40, extend in 0u32..20, cap in 0u32..90,
        ) {
            let policy = ProtectionPolicy { initial_days: initial, extend_days: extend, cap_days: cap };
            let times: Vec<_> = offsets.iter().map(|d| day(*d)).collect();
            let p = protection(policy, day(0), &times);
            prop_assert!(p.until >= day(i64::from(initial)));
            prop_assert!(p.until <= day(i64::from(cap.max(initial))));
        }
    }
}
