//! Working hours (工作时间): when a rep takes leads, in their own time zone. Outside them
//! routing skips the rep and says so.

use super::rule::TimeWindow;
use crate::error::{FieldError, FieldErrors};
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// Largest offset from UTC, in minutes (UTC+14).
const OFFSET_MAX: i32 = 14 * 60;

/// A rep's working hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingHours {
    /// Their time zone as an offset from UTC in minutes (480 for China).
    pub utc_offset_minutes: i32,
    /// ISO weekdays they work, 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<u8>,
    /// Their hours on those days (may cross midnight).
    pub time: TimeWindow,
}

impl WorkingHours {
    /// Checks every field at once (`utc_offset_minutes`, `weekdays`, `time`).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        if !(-OFFSET_MAX..=OFFSET_MAX).contains(&self.utc_offset_minutes) {
            errs.0
                .push(FieldError::new("utc_offset_minutes", "hours_offset_range"));
        }
        if self.weekdays.is_empty() || self.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            errs.0
                .push(FieldError::new("weekdays", "routing_weekday_range"));
        }
        if self.time.from == self.time.until {
            errs.0.push(FieldError::new("time", "routing_window_empty"));
        }
        errs.into_result()
    }

    /// Whether `now` falls in these hours, read in the rep's own time zone.
    pub fn on_shift(&self, now: DateTime<Utc>) -> bool {
        let Some(zone) = FixedOffset::east_opt(self.utc_offset_minutes * 60) else {
            return true;
        };
        let local = now.with_timezone(&zone);
        let day = local.weekday().number_from_monday() as u8;
        self.weekdays.contains(&day) && self.time.contains(local.time())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone};

    fn hours() -> WorkingHours {
        WorkingHours {
            utc_offset_minutes: 480,
            weekdays: vec![1, 2, 3, 4, 5],
            time: TimeWindow {
                from: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                until: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            },
        }
    }

    #[test]
    fn hours_are_read_in_the_reps_own_time_zone() {
        let h = hours();
        // Tuesday 2026-12-01 01:00 UTC is 09:00 in Beijing: on shift, exactly at the start.
        assert!(h.on_shift(Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()));
        assert!(!h.on_shift(Utc.with_ymd_and_hms(2026, 12, 1, 0, 59, 0).unwrap()));
        // 18:00 Beijing is the first minute off.
        assert!(!h.on_shift(Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap()));
        // Saturday morning in Beijing (Friday evening UTC): off.
        assert!(!h.on_shift(Utc.with_ymd_and_hms(2026, 12, 5, 2, 0, 0).unwrap()));
    }

    #[test]
    fn bad_hours_name_the_field() {
        let mut h = hours();
        h.utc_offset_minutes = 15 * 60;
        h.weekdays = vec![8];
        h.time.until = h.time.from;
        let fields: Vec<String> = h
            .validate()
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.field.to_string())
            .collect();
        assert_eq!(fields, ["utc_offset_minutes", "weekdays", "time"]);
        assert!(hours().validate().is_ok());
    }
}
