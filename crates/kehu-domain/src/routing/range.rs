//! The date range a simulation replays, as typed or sent.

use crate::customer::parse_datetime;
use crate::error::{FieldError, FieldErrors};
use chrono::{DateTime, Days, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

/// Longest range one simulation replays, in days: a year (a leap year's worth), so a typo in
/// the year does not replay a decade of leads.
pub const MAX_RANGE_DAYS: i64 = 366;

/// `[from, to)`: the leads received from `from` up to, not including, `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulationRange {
    /// First instant replayed.
    pub from: DateTime<Utc>,
    /// First instant not replayed.
    pub to: DateTime<Utc>,
}

impl SimulationRange {
    /// Reads `from` and `to`, each RFC 3339, a local `YYYY-MM-DDTHH:MM`, or a date in the
    /// team's offset `local`. A date as `from` starts at its local midnight; a date as `to`
    /// includes that whole day, as a date range on a form reads. Every error at once, named
    /// `from` or `to`.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        local: FixedOffset,
    ) -> Result<SimulationRange, FieldErrors> {
        let mut errs = FieldErrors::default();
        let from = errs.collect(instant("from", from, local, false));
        let to = errs.collect(instant("to", to, local, true));
        if let (Some(from), Some(to)) = (from, to) {
            if to <= from {
                errs.0.push(FieldError::new("to", "simulate.range_order"));
            } else if to - from > Duration::days(MAX_RANGE_DAYS) {
                errs.0
                    .push(FieldError::new("to", "simulate.range_too_long"));
            }
        }
        errs.into_result()?;
        match (from, to) {
            (Some(from), Some(to)) => Ok(SimulationRange { from, to }),
            // Unreachable: a missing instant was collected as an error above.
            _ => Err(FieldError::new("from", "required").into()),
        }
    }
}

/// A date (its local midnight, or the next one for an `end`) or a date-time, truncated to
/// microseconds like every stored time.
fn instant(
    field: &'static str,
    raw: Option<&str>,
    local: FixedOffset,
    end: bool,
) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| FieldError::new(field, "required"))?;
    let t = match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => {
            let day = if end {
                d.checked_add_days(Days::new(1))
            } else {
                Some(d)
            };
            day.and_then(|d| {
                local
                    .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                    .single()
            })
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| FieldError::new(field, "datetime_invalid"))?
        }
        Err(_) => parse_datetime(field, raw, local)?,
    };
    Ok(t - Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos() % 1000)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cn() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    fn fields(e: FieldErrors) -> Vec<(String, &'static str)> {
        e.0.into_iter()
            .map(|f| (f.field.into_owned(), f.code))
            .collect()
    }

    #[test]
    fn dates_are_local_days_and_the_end_date_is_included() {
        let r = SimulationRange::parse(Some("2026-11-01"), Some("2026-11-30"), cn()).unwrap();
        assert_eq!(r.from.to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(r.to.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        let r = SimulationRange::parse(
            Some("2026-11-01T09:00:00+08:00"),
            Some("2026-11-01T10:00:00Z"),
            cn(),
        )
        .unwrap();
        assert_eq!(r.to - r.from, Duration::hours(9));
    }

    #[test]
    fn errors_name_the_field() {
        let e = SimulationRange::parse(None, Some("11/30"), cn()).unwrap_err();
        assert_eq!(
            fields(e),
            [
                ("from".into(), "required"),
                ("to".into(), "datetime_invalid")
            ]
        );
        let e = SimulationRange::parse(Some("2026-11-02"), Some("2026-11-01"), cn()).unwrap_err();
        assert_eq!(fields(e), [("to".into(), "simulate.range_order")]);
    }

    #[test]
    fn a_year_is_the_longest_range() {
        assert!(SimulationRange::parse(Some("2024-01-01"), Some("2024-12-31"), cn()).is_ok());
        let e = SimulationRange::parse(Some("2025-01-01"), Some("2026-01-02"), cn()).unwrap_err();
        assert_eq!(fields(e), [("to".into(), "simulate.range_too_long")]);
    }
}
