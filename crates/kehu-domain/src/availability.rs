//! The availability feed (可用性): leave pushed by an HR system, checked record by record
//! against a versioned schema, and how healthy the feed is. A feed that is stale or whose
//! last push failed cannot be trusted: routing says so on every decision it affects (an
//! alert, never a silent skip) and follows the configured fallback.

use crate::error::{FieldError, FieldErrors};
use crate::pool::{LeaveInput, NewLeave};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The schema version this build reads.
pub const FEED_VERSION: u64 = 1;
/// Most records in one push.
pub const RECORDS_MAX: usize = 10_000;
/// Longest login, in characters.
const LOGIN_MAX: usize = 64;
/// The fields of a push and of one record: anything else is a schema change, refused.
const TOP_FIELDS: [&str; 3] = ["version", "generated_at", "records"];
const RECORD_FIELDS: [&str; 4] = ["user", "from", "until", "note"];

/// One valid record: a user (by login) away for a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRecord {
    /// The user's login, as HR knows it.
    pub login: String,
    /// The leave.
    pub leave: NewLeave,
}

/// Parses a push: `{"version": 1, "generated_at"?: …, "records": [{"user", "from",
/// "until", "note"?}]}`. Every bad field is named (`records[3].from`); an unknown field is
/// refused, so a renamed field fails loudly instead of reading as "nobody is away".
pub fn parse_feed(
    body: &Value,
    local: FixedOffset,
    now: DateTime<Utc>,
) -> Result<Vec<FeedRecord>, FieldErrors> {
    let mut errs = FieldErrors::default();
    let Some(top) = body.as_object() else {
        return Err(FieldError::new("body", "feed_not_object").into());
    };
    unknown_fields(top, &TOP_FIELDS, "", &mut errs);
    match top.get("version").and_then(Value::as_u64) {
        Some(FEED_VERSION) => {}
        _ => errs.0.push(FieldError::new("version", "feed_version")),
    }
    let records = match top.get("records").and_then(Value::as_array) {
        Some(r) if r.len() <= RECORDS_MAX => r.as_slice(),
        Some(_) => {
            errs.0.push(FieldError::new("records", "feed_too_many"));
            &[]
        }
        None => {
            errs.0.push(FieldError::new("records", "required"));
            &[]
        }
    };
    let mut out = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        if let Some(rec) = record(i, r, local, now, &mut errs) {
            out.push(rec);
        }
    }
    errs.into_result()?;
    Ok(out)
}

fn unknown_fields(
    obj: &serde_json::Map<String, Value>,
    known: &[&str],
    prefix: &str,
    errs: &mut FieldErrors,
) {
    for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
        errs.0
            .push(FieldError::new(format!("{prefix}{key}"), "unknown_field"));
    }
}

fn record(
    i: usize,
    r: &Value,
    local: FixedOffset,
    now: DateTime<Utc>,
    errs: &mut FieldErrors,
) -> Option<FeedRecord> {
    let prefix = format!("records[{i}].");
    let Some(obj) = r.as_object() else {
        errs.0
            .push(FieldError::new(format!("records[{i}]"), "feed_not_object"));
        return None;
    };
    unknown_fields(obj, &RECORD_FIELDS, &prefix, errs);
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
    let login = text("user")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let login = match login {
        Some(l) if l.chars().count() <= LOGIN_MAX => Some(l),
        Some(_) => {
            errs.0
                .push(FieldError::new(format!("{prefix}user"), "too_long"));
            None
        }
        None => {
            errs.0
                .push(FieldError::new(format!("{prefix}user"), "required"));
            None
        }
    };
    let input = LeaveInput {
        from: text("from"),
        until: text("until"),
        note: text("note"),
    };
    let leave = match NewLeave::parse(&input, local, now) {
        Ok(l) => Some(l),
        Err(e) => {
            errs.0.extend(e.0.into_iter().map(|f| {
                let field = format!("{prefix}{}", f.field);
                FieldError::new(field, f.code)
            }));
            None
        }
    };
    Some(FeedRecord {
        login: login?,
        leave: leave?,
    })
}

/// What routing does while the feed cannot be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedFallback {
    /// Keep using the leave of the last good push (and hand-recorded leave).
    #[default]
    LastKnown,
    /// Use hand-recorded leave only: the feed's may be wrong in either direction.
    HandOnly,
}

impl FeedFallback {
    /// Stable code (locale key suffix).
    pub fn code(self) -> &'static str {
        match self {
            Self::LastKnown => "last_known",
            Self::HandOnly => "hand_only",
        }
    }
}

/// The admin's feed settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSettings {
    /// A feed not pushed successfully for this many hours is stale (the heartbeat).
    pub stale_after_hours: u32,
    /// What routing does while the feed is stale or invalid.
    pub fallback: FeedFallback,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings {
            stale_after_hours: 24,
            fallback: FeedFallback::LastKnown,
        }
    }
}

impl FeedSettings {
    /// Checks the hours (1 to 720, a month).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        if (1..=720).contains(&self.stale_after_hours) {
            Ok(())
        } else {
            Err(FieldError::new("stale_after_hours", "feed_hours_range").into())
        }
    }
}

/// What the store knows of the feed's pushes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedStatus {
    /// The last push that was accepted.
    pub last_ok_at: Option<DateTime<Utc>>,
    /// Since when pushes fail (the first failure after the last good one).
    pub failing_since: Option<DateTime<Utc>>,
}

/// How far the feed can be trusted at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FeedHealth {
    /// Never pushed: leave is recorded by hand only, nothing to distrust.
    Unused,
    /// The last push was good and recent.
    Healthy,
    /// No good push since `since` for longer than the heartbeat allows.
    Stale {
        /// The last good push.
        since: DateTime<Utc>,
    },
    /// Pushes fail validation since `since`.
    Invalid {
        /// The first failing push.
        since: DateTime<Utc>,
    },
}

impl FeedHealth {
    /// The feed's health at `now`: a failing push wins over staleness.
    pub fn of(status: &FeedStatus, settings: &FeedSettings, now: DateTime<Utc>) -> FeedHealth {
        if let Some(since) = status.failing_since {
            return FeedHealth::Invalid { since };
        }
        match status.last_ok_at {
            None => FeedHealth::Unused,
            Some(at) if now - at > Duration::hours(i64::from(settings.stale_after_hours)) => {
                FeedHealth::Stale { since: at }
            }
            Some(_) => FeedHealth::Healthy,
        }
    }

    /// Whether routing must say it decided without a trustworthy feed.
    pub fn is_alert(self) -> bool {
        matches!(self, FeedHealth::Stale { .. } | FeedHealth::Invalid { .. })
    }
}

#[cfg(test)]
#[path = "availability_tests.rs"]
mod tests;
