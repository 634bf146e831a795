//! What a merge keeps of each record, and what undoing it restores.

use super::MergeField;
use crate::customer::fields::{Grade, IntentLevel, Source};
use crate::customer::{Customer, Phone};
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The fields a merge writes, as kept in its snapshot so an admin can undo it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerFields {
    /// Name.
    pub name: String,
    /// Main phone.
    pub phone: Phone,
    /// Source.
    pub source: Source,
    /// Intent.
    pub intent: IntentLevel,
    /// Grade.
    pub grade: Option<Grade>,
    /// Credit code.
    pub credit_code: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Next follow-up.
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// Owner (`None` = pool).
    pub owner_id: Option<UserId>,
}

impl CustomerFields {
    /// The fields of `c`.
    pub fn of(c: &Customer) -> CustomerFields {
        CustomerFields {
            name: c.name.clone(),
            phone: c.phone.clone(),
            source: c.source,
            intent: c.intent,
            grade: c.grade,
            credit_code: c.credit_code.clone(),
            industry: c.industry.clone(),
            province: c.province.clone(),
            city: c.city.clone(),
            next_follow_up_at: c.next_follow_up_at,
            owner_id: c.owner_id,
        }
    }

    /// One field as text (for audit rows and comparisons).
    pub fn text(&self, field: MergeField) -> Option<String> {
        match field {
            MergeField::Name => Some(self.name.clone()),
            MergeField::Phone => Some(match self.phone.extension() {
                Some(ext) => format!("{} ext {ext}", self.phone.e164()),
                None => self.phone.e164().to_owned(),
            }),
            MergeField::Source => Some(self.source.code().to_owned()),
            MergeField::Intent => Some(self.intent.code().to_owned()),
            MergeField::Grade => self.grade.map(|g| g.code().to_owned()),
            MergeField::CreditCode => self.credit_code.clone(),
            MergeField::Industry => self.industry.clone(),
            MergeField::Province => self.province.clone(),
            MergeField::City => self.city.clone(),
            MergeField::NextFollowUpAt => self.next_follow_up_at.map(|t| t.to_rfc3339()),
            MergeField::Owner => self.owner_id.map(|u| u.0.to_string()),
        }
    }

    /// Writes these fields onto `c` (the owner's id only: its name and team are reloaded).
    fn restore(&self, field: MergeField, c: &mut Customer) {
        match field {
            MergeField::Name => c.name.clone_from(&self.name),
            MergeField::Phone => c.phone.clone_from(&self.phone),
            MergeField::Source => c.source = self.source,
            MergeField::Intent => c.intent = self.intent,
            MergeField::Grade => c.grade = self.grade,
            MergeField::CreditCode => c.credit_code.clone_from(&self.credit_code),
            MergeField::Industry => c.industry.clone_from(&self.industry),
            MergeField::Province => c.province.clone_from(&self.province),
            MergeField::City => c.city.clone_from(&self.city),
            MergeField::NextFollowUpAt => c.next_follow_up_at = self.next_follow_up_at,
            MergeField::Owner => c.owner_id = self.owner_id,
        }
    }
}

/// What undoing a merge does to the kept customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reversal {
    /// The kept customer with its pre-merge values back.
    pub restored: Customer,
    /// Fields put back to their value before the merge.
    pub restored_fields: Vec<MergeField>,
    /// Fields edited since the merge: the later edit is kept, not overwritten.
    pub kept_edits: Vec<MergeField>,
}

/// Undoing a merge: each field of the kept customer that still holds the merge's value
/// goes back to its value before; a field someone edited since keeps that edit.
pub fn reversal(before: &CustomerFields, merged: &CustomerFields, current: &Customer) -> Reversal {
    let now = CustomerFields::of(current);
    let mut restored = current.clone();
    let (mut restored_fields, mut kept_edits) = (Vec::new(), Vec::new());
    for f in MergeField::ALL {
        if now.text(f) != merged.text(f) {
            kept_edits.push(f);
        } else if before.text(f) != now.text(f) {
            before.restore(f, &mut restored);
            restored_fields.push(f);
        }
    }
    Reversal {
        restored,
        restored_fields,
        kept_edits,
    }
}
