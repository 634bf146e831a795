//! A pool's rules (公海规则) in one value: how it recycles (with overrides per grade), how it
//! hands customers out, how many customers an owner may lock, where recycles go.

use super::claim::ClaimLimits;
use super::recycle::RecycleRule;
use crate::customer::Grade;
use crate::error::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

/// The longest span any day count may have (ten years): beyond that a typo is likelier.
const MAX_DAYS: u32 = 3650;

/// The rules of one pool, stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolRules {
    /// The recycle rule for customers without a grade override.
    pub recycle: RecycleRule,
    /// Overrides per customer grade.
    pub by_grade: Vec<(Grade, RecycleRule)>,
    /// Claim limits, the ownership cap and the former owner's ban.
    pub claim: ClaimLimits,
    /// Customers a rep may lock (锁定) against recycling; `None` = no limit, 0 = no locks.
    pub lock_limit: Option<u32>,
    /// The pool recycled customers go to; `None` = this pool.
    pub recycle_to: Option<i64>,
}

impl Default for PoolRules {
    /// The default recycle rule, no claim limits and no re-claim ban (an admin opts in),
    /// 10 locks.
    fn default() -> Self {
        PoolRules {
            recycle: RecycleRule::default(),
            by_grade: Vec::new(),
            claim: ClaimLimits::default(),
            lock_limit: Some(10),
            recycle_to: None,
        }
    }
}

/// A rep holds as many locked customers as the pool allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("at most {limit} customers may be locked")]
pub struct LockLimitReached {
    /// The pool's lock limit.
    pub limit: u32,
}

impl PoolRules {
    /// Whether a rep who has `locked` customers locked may lock one more.
    pub fn may_lock(&self, locked: u32) -> Result<(), LockLimitReached> {
        match self.lock_limit {
            Some(limit) if locked >= limit => Err(LockLimitReached { limit }),
            _ => Ok(()),
        }
    }

    /// The recycle rule for a customer of `grade`.
    pub fn recycle_rule(&self, grade: Option<Grade>) -> &RecycleRule {
        grade
            .and_then(|g| self.by_grade.iter().find(|(k, _)| *k == g))
            .map_or(&self.recycle, |(_, r)| r)
    }

    /// Every recycle rule of the pool: the base rule and each grade's override.
    pub fn recycle_rules(&self) -> impl Iterator<Item = &RecycleRule> {
        std::iter::once(&self.recycle).chain(self.by_grade.iter().map(|(_, r)| r))
    }

    /// Checks every figure, naming each bad one (`recycle.no_follow_up_days`,
    /// `by_grade.A.warn_days`, `claim.per_day`, …).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        check_rule(&mut errs, "recycle", &self.recycle);
        for (i, (grade, rule)) in self.by_grade.iter().enumerate() {
            if self.by_grade[..i].iter().any(|(g, _)| g == grade) {
                errs.0.push(FieldError::new(
                    format!("by_grade.{}", grade.code()),
                    "grade_repeated",
                ));
            }
            check_rule(&mut errs, &format!("by_grade.{}", grade.code()), rule);
        }
        let c = &self.claim;
        for (name, v) in [
            ("per_day", c.per_day),
            ("per_week", c.per_week),
            ("per_month", c.per_month),
            ("ownership_cap", c.ownership_cap),
        ] {
            if v == Some(0) {
                errs.0
                    .push(FieldError::new(format!("claim.{name}"), "must_be_positive"));
            }
        }
        range(
            &mut errs,
            "claim.reclaim_ban_days",
            Some(c.reclaim_ban_days),
        );
        if let (Some(d), Some(w)) = (c.per_day, c.per_week)
            && w < d
        {
            errs.0
                .push(FieldError::new("claim.per_week", "below_daily"));
        }
        errs.into_result()
    }
}

fn range(errs: &mut FieldErrors, field: &str, days: Option<u32>) {
    if days.is_some_and(|d| d > MAX_DAYS) {
        errs.0.push(FieldError::new(field.to_owned(), "days_range"));
    }
}

fn check_rule(errs: &mut FieldErrors, prefix: &str, r: &RecycleRule) {
    for (name, days) in [
        ("no_follow_up_days", r.no_follow_up_days),
        ("no_progress_days", r.no_progress_days),
    ] {
        if days == Some(0) {
            errs.0.push(FieldError::new(
                format!("{prefix}.{name}"),
                "must_be_positive",
            ));
        }
        range(errs, &format!("{prefix}.{name}"), days);
    }
    let shortest = [r.no_follow_up_days, r.no_progress_days]
        .into_iter()
        .flatten()
        .filter(|d| *d > 0)
        .min();
    if shortest.is_some_and(|d| r.warn_days >= d) {
        errs.0.push(FieldError::new(
            format!("{prefix}.warn_days"),
            "warn_not_before",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: &PoolRules) -> Vec<String> {
        r.validate()
            .err()
            .map(|e| e.0.into_iter().map(|f| f.field.into_owned()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn defaults_are_valid_and_locks_are_bounded() {
        assert!(PoolRules::default().validate().is_ok());
        let r = PoolRules::default();
        assert_eq!(r.may_lock(9), Ok(()));
        assert_eq!(r.may_lock(10), Err(LockLimitReached { limit: 10 }));
        let open = PoolRules {
            lock_limit: None,
            ..PoolRules::default()
        };
        assert_eq!(open.may_lock(1000), Ok(()));
    }

    #[test]
    fn bad_figures_are_named_by_field() {
        let mut r = PoolRules::default();
        r.recycle.no_follow_up_days = Some(0);
        r.claim.per_day = Some(0);
        r.claim.reclaim_ban_days = 99_999;
        let b = RecycleRule {
            no_follow_up_days: Some(5),
            warn_days: 5,
            ..RecycleRule::default()
        };
        r.by_grade = vec![(Grade::B, b), (Grade::B, RecycleRule::default())];
        assert_eq!(
            fields(&r),
            [
                "recycle.no_follow_up_days",
                "by_grade.B.warn_days",
                "by_grade.B",
                "claim.per_day",
                "claim.reclaim_ban_days",
            ]
        );
    }

    #[test]
    fn grade_override_wins() {
        let a = RecycleRule {
            no_follow_up_days: Some(60),
            ..RecycleRule::default()
        };
        let r = PoolRules {
            by_grade: vec![(Grade::A, a)],
            ..PoolRules::default()
        };
        assert_eq!(r.recycle_rule(Some(Grade::A)).no_follow_up_days, Some(60));
        assert_eq!(r.recycle_rule(Some(Grade::C)).no_follow_up_days, Some(30));
        assert_eq!(r.recycle_rule(None).no_follow_up_days, Some(30));
    }
}
