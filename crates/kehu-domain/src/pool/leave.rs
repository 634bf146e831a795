//! Recorded leave pauses the recycle clock: a rep on holiday does not lose customers for it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One recorded absence, `[from, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leave {
    /// First instant away.
    pub from: DateTime<Utc>,
    /// First instant back.
    pub until: DateTime<Utc>,
}

/// The deadline `span` after `start`, with the clock stopped during `leave`: each part of a
/// leave that falls before the (moving) deadline pushes it back by that much.
pub fn paused_deadline(start: DateTime<Utc>, span: Duration, leave: &[Leave]) -> DateTime<Utc> {
    let mut spans: Vec<Leave> = leave
        .iter()
        .filter(|l| l.until > l.from && l.until > start)
        .map(|l| Leave {
            from: l.from.max(start),
            until: l.until,
        })
        .collect();
    spans.sort_by_key(|l| l.from);
    let mut deadline = start + span;
    let mut covered_to = start;
    for l in spans {
        if l.from >= deadline {
            break;
        }
        // Overlapping leaves pause the clock once.
        let from = l.from.max(covered_to);
        if l.until > from {
            deadline += l.until - from;
            covered_to = l.until;
        }
    }
    deadline
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
            .single()
            .expect("t")
            + Duration::days(n)
    }

    fn leave(a: i64, b: i64) -> Leave {
        Leave {
            from: day(a),
            until: day(b),
        }
    }

    #[test]
    fn leave_inside_the_span_pushes_the_deadline_back() {
        assert_eq!(paused_deadline(day(0), Duration::days(30), &[]), day(30));
        assert_eq!(
            paused_deadline(day(0), Duration::days(30), &[leave(10, 17)]),
            day(37)
        );
    }

    #[test]
    fn leave_before_the_start_or_after_the_deadline_changes_nothing() {
        let d = Duration::days(30);
        assert_eq!(
            paused_deadline(day(0), d, &[leave(-9, -2), leave(31, 40)]),
            day(30)
        );
        // A leave that began before the start pauses only its part after the start.
        assert_eq!(paused_deadline(day(0), d, &[leave(-5, 5)]), day(35));
    }

    #[test]
    fn a_leave_that_starts_inside_the_extension_pushes_again() {
        // 30 days → day 30; leave 25..32 pushes to day 37; leave 35..40 then pushes to 42.
        let d = Duration::days(30);
        assert_eq!(
            paused_deadline(day(0), d, &[leave(35, 40), leave(25, 32)]),
            day(42)
        );
    }

    #[test]
    fn overlapping_leaves_pause_once() {
        let d = Duration::days(30);
        assert_eq!(
            paused_deadline(day(0), d, &[leave(10, 20), leave(15, 25)]),
            day(45)
        );
    }
}
