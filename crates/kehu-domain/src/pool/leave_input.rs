//! A leave (休假) as typed or sent, parsed into one that can be recorded.

use super::leave::Leave;
use crate::customer::parse_datetime;
use crate::error::{FieldError, FieldErrors};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

/// Longest leave one record may cover, in days: a year, so a typo in the year is refused
/// instead of freezing a rep's customers for a decade.
pub const MAX_LEAVE_DAYS: i64 = 366;
/// How far back a leave may start, in days: a forgotten sick day can be entered afterwards,
/// but nobody rewrites last year's recycle clocks.
pub const MAX_BACKDATE_DAYS: i64 = 31;
/// Longest note, in characters.
const MAX_NOTE: usize = 200;

/// A leave as typed in the form or sent to the API; every field raw.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct LeaveInput {
    /// First instant away: RFC 3339, a local `YYYY-MM-DDTHH:MM`, or a date (local midnight).
    pub from: Option<String>,
    /// First instant back, in the same forms (a date means back at that day's start).
    pub until: Option<String>,
    /// Why (年假, 病假 …), optional.
    pub note: Option<String>,
}

/// A valid leave, ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLeave {
    /// The span away, `[from, until)`.
    pub span: Leave,
    /// The note, trimmed (may be empty).
    pub note: String,
}

impl NewLeave {
    /// Validates every field at once. `local` reads dates and naive times (the team's offset);
    /// `now` bounds how far back a leave may start.
    pub fn parse(
        input: &LeaveInput,
        local: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<NewLeave, FieldErrors> {
        let mut errs = FieldErrors::default();
        let from = errs.collect(instant("from", input.from.as_deref(), local));
        let until = errs.collect(instant("until", input.until.as_deref(), local));
        let note = input.note.as_deref().unwrap_or("").trim().to_owned();
        if note.chars().count() > MAX_NOTE {
            errs.0.push(FieldError::new("note", "too_long"));
        }
        if let Some(from) = from
            && from < now - Duration::days(MAX_BACKDATE_DAYS)
        {
            errs.0.push(FieldError::new("from", "leave_too_early"));
        }
        if let (Some(from), Some(until)) = (from, until) {
            if until <= from {
                errs.0
                    .push(FieldError::new("until", "leave_not_after_from"));
            } else if until - from > Duration::days(MAX_LEAVE_DAYS) {
                errs.0.push(FieldError::new("until", "leave_too_long"));
            }
        }
        errs.into_result()?;
        match (from, until) {
            (Some(from), Some(until)) => Ok(NewLeave {
                span: Leave { from, until },
                note,
            }),
            // Unreachable: a missing instant was collected as an error above.
            _ => Err(FieldError::new("from", "required").into()),
        }
    }
}

/// A date (local midnight) or a date-time, truncated to microseconds like every stored time.
fn instant(
    field: &'static str,
    raw: Option<&str>,
    local: FixedOffset,
) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| FieldError::new(field, "required"))?;
    let t = match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => local
            .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| FieldError::new(field, "datetime_invalid"))?,
        Err(_) => parse_datetime(field, raw, local)?,
    };
    Ok(t - Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos() % 1000)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cst() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).expect("offset")
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-20T09:00:00+08:00")
            .expect("t")
            .with_timezone(&Utc)
    }

    fn input(from: &str, until: &str) -> LeaveInput {
        LeaveInput {
            from: Some(from.into()),
            until: Some(until.into()),
            note: Some(" 年假 ".into()),
        }
    }

    fn fields(r: Result<NewLeave, FieldErrors>) -> Vec<String> {
        r.unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field.into())
            .collect()
    }

    #[test]
    fn dates_are_local_midnights_and_the_span_is_half_open() {
        let l = NewLeave::parse(&input("2026-12-01", "2026-12-06"), cst(), now()).expect("ok");
        assert_eq!(l.span.from.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(l.span.until - l.span.from, Duration::days(5));
        assert_eq!(l.note, "年假");
        let l = NewLeave::parse(
            &input("2026-12-01T10:00:00Z", "2026-12-01T18:30"),
            cst(),
            now(),
        )
        .expect("ok");
        assert_eq!(l.span.until - l.span.from, Duration::minutes(30));
    }

    #[test]
    fn bad_input_names_the_field() {
        let empty = LeaveInput::default();
        assert_eq!(
            fields(NewLeave::parse(&empty, cst(), now())),
            ["from", "until"]
        );
        let r = NewLeave::parse(&input("2026-12-06", "2026-12-06"), cst(), now());
        assert_eq!(r.unwrap_err().0[0].code, "leave_not_after_from");
        let r = NewLeave::parse(&input("2026-12-01", "2028-12-01"), cst(), now());
        assert_eq!(r.unwrap_err().0[0].code, "leave_too_long");
        let r = NewLeave::parse(&input("2025-12-01", "2025-12-03"), cst(), now());
        assert_eq!(fields(r), ["from"]);
        assert_eq!(
            fields(NewLeave::parse(&input("soon", "2026-12-03"), cst(), now())),
            ["from"]
        );
        let mut long = input("2026-12-01", "2026-12-03");
        long.note = Some("假".repeat(201));
        assert_eq!(fields(NewLeave::parse(&long, cst(), now())), ["note"]);
    }
}
