//! A cheap, conservative test before judging: which owned customers may be due for a recycle
//! or a warning at all. The recycle pass reads a million customers; most were followed up
//! last week and cannot be due, and the store skips them inside its scan with this test's
//! SQL twin instead of decoding and judging every row.
//!
//! It is sound because of how [`judge`](super::judge) decides: a cause's deadline is never
//! before its clock's start plus its days (leave only pauses the clock), the due time never
//! before the deadline (protection only postpones it), and a warning starts `warn_days`
//! before the due time. Exemptions only withhold. So a customer whose clocks all started
//! after these bounds is kept, whatever else holds.

use super::recycle::{RecycleFacts, RecycleRule};
use chrono::{DateTime, Duration, Utc};

/// The latest clock starts at which a customer may be due or warned at one instant under
/// some rule of a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DueFilter {
    /// A follow-up clock (the later of the owner's start and their last effective follow-up)
    /// started at or before this may be due; `None` when no rule counts follow-ups.
    pub follow_up_since: Option<DateTime<Utc>>,
    /// The same for the progress clock (the later of the owner's start and the last progress).
    pub progress_since: Option<DateTime<Utc>>,
    /// Some rule recycles on a deal lost under the current owner.
    pub deal_lost: bool,
}

impl DueFilter {
    /// The bounds at `now` for every rule in `rules` (pools' rules and their grade overrides).
    pub fn of<'a>(rules: impl IntoIterator<Item = &'a RecycleRule>, now: DateTime<Utc>) -> Self {
        let latest = |days: u32, warn: u32| now - Duration::days(i64::from(days) - i64::from(warn));
        let later = |a: Option<DateTime<Utc>>, b: DateTime<Utc>| Some(a.map_or(b, |a| a.max(b)));
        let mut f = DueFilter::default();
        for r in rules {
            if let Some(days) = r.no_follow_up_days {
                f.follow_up_since = later(f.follow_up_since, latest(days, r.warn_days));
            }
            if let Some(days) = r.no_progress_days {
                f.progress_since = later(f.progress_since, latest(days, r.warn_days));
            }
            f.deal_lost |= r.on_deal_lost;
        }
        f
    }

    /// Whether a customer with `facts` may be due or warned (false: it certainly is not).
    /// The store's scan applies the same test in SQL.
    pub fn may_be_due(&self, facts: &RecycleFacts) -> bool {
        let started = |last: Option<DateTime<Utc>>| {
            last.map_or(facts.owner_since, |t| t.max(facts.owner_since))
        };
        let by = |bound: Option<DateTime<Utc>>, last| bound.is_some_and(|b| started(last) <= b);
        // A locked customer is exempt under every rule.
        !facts.locked
            && (by(self.follow_up_since, facts.last_effective_follow_up)
                || by(self.progress_since, facts.last_progress)
                || (self.deal_lost && facts.deal_lost_at.is_some()))
    }
}
