//! A follow-up as typed, parsed into one that can be stored.

use super::FollowUpKind;
use crate::customer::parse_datetime;
use crate::error::{FieldError, FieldErrors};
use crate::ids::ContactId;
use chrono::{DateTime, FixedOffset, Utc};

/// Longest content, in characters.
const MAX_CONTENT: usize = 2000;
/// Most tags on one follow-up, and the longest tag.
const MAX_TAGS: usize = 10;
const MAX_TAG: usize = 20;

/// A follow-up as typed in the form or sent to the API; every field raw.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct FollowUpInput {
    /// `call`, `visit`, `wechat`, `email`, `meeting` or `note`.
    pub kind: Option<String>,
    /// What happened.
    pub content: Option<String>,
    /// Tags separated by commas (`价格敏感，需技术演示`).
    pub tags: Option<String>,
    /// A call's duration in seconds.
    pub duration_secs: Option<String>,
    /// The contact person spoken to, if any.
    pub contact_id: Option<String>,
    /// When to follow up next.
    pub next_follow_up_at: Option<String>,
}

/// A valid follow-up, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFollowUp {
    /// How.
    pub kind: FollowUpKind,
    /// What happened, trimmed.
    pub content: String,
    /// Tags, trimmed, without repeats.
    pub tags: Vec<String>,
    /// A call's duration.
    pub duration_secs: Option<u32>,
    /// The contact spoken to (the store checks it belongs to the customer).
    pub contact_id: Option<ContactId>,
    /// When to follow up next.
    pub next_follow_up_at: Option<DateTime<Utc>>,
}

impl NewFollowUp {
    /// Validates every field at once; `local` reads a naive next-follow-up time.
    pub fn parse(input: &FollowUpInput, local: FixedOffset) -> Result<NewFollowUp, FieldErrors> {
        let kind = FollowUpKind::parse(input.kind.as_deref().unwrap_or(""));
        let content = content(input.content.as_deref());
        let tags = tags(input.tags.as_deref());
        let duration_secs = number("duration_secs", input.duration_secs.as_deref());
        let contact_id = number("contact_id", input.contact_id.as_deref());
        let next = match blank(input.next_follow_up_at.as_deref()) {
            None => Ok(None),
            Some(s) => parse_datetime("next_follow_up_at", s, local).map(Some),
        };
        let mut errs = FieldErrors::default();
        for e in [
            kind.as_ref().err(),
            content.as_ref().err(),
            tags.as_ref().err(),
            duration_secs.as_ref().err(),
            contact_id.as_ref().err(),
            next.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        {
            errs.0.push(e.clone());
        }
        errs.into_result()?;
        // No error was collected, so none of the `?` below can fire.
        Ok(NewFollowUp {
            kind: kind?,
            content: content?,
            tags: tags?,
            duration_secs: duration_secs?,
            contact_id: contact_id?.map(|id| ContactId(i64::from(id))),
            next_follow_up_at: next?,
        })
    }
}

fn blank(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

fn content(raw: Option<&str>) -> Result<String, FieldError> {
    let s = blank(raw).ok_or_else(|| FieldError::new("content", "required"))?;
    if s.chars().count() > MAX_CONTENT {
        return Err(FieldError::new("content", "too_long"));
    }
    Ok(s.to_owned())
}

/// Splits at ASCII or full-width commas, the enumeration comma and semicolons.
fn tags(raw: Option<&str>) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for tag in raw
        .unwrap_or("")
        .split([',', '，', '、', ';', '；'])
        .map(crate::text::squash_spaces)
        .filter(|t| !t.is_empty())
    {
        if tag.chars().count() > MAX_TAG {
            return Err(FieldError::new("tags", "tag_too_long"));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(FieldError::new("tags", "too_many_tags"));
    }
    Ok(out)
}

fn number(field: &'static str, raw: Option<&str>) -> Result<Option<u32>, FieldError> {
    match blank(raw) {
        None => Ok(None),
        Some(s) => s
            .parse::<u32>()
            .map(Some)
            .map_err(|_| FieldError::new(field, "number_invalid")),
    }
}
