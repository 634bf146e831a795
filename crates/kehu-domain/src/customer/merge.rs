//! Merging duplicate customers (合并): a field-by-field choice among two or more records,
//! the customer that results, and what undoing the merge restores.
//!
//! The kept record survives with the chosen values; the others are marked as merged into it
//! and only resolve to it. Pure: the store loads the records and persists the plan.

use super::fields::optional_text;
use super::{Customer, Phone};
use crate::actor::{Actor, Role};
use crate::error::{FieldError, FieldErrors};
use crate::ids::CustomerId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most records one merge takes (a review cluster larger than this needs a closer look).
pub const MAX_RECORDS: usize = 20;

/// A field a merge chooses, each from one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeField {
    /// 客户名称
    Name,
    /// Main phone with its extension.
    Phone,
    /// 来源
    Source,
    /// 意向
    Intent,
    /// 等级
    Grade,
    /// 统一社会信用代码
    CreditCode,
    /// 行业
    Industry,
    /// 省份
    Province,
    /// 城市
    City,
    /// 下次跟进
    NextFollowUpAt,
    /// 负责人 (changed through the ownership ledger)
    Owner,
}

impl MergeField {
    /// Every field, in form order.
    pub const ALL: [MergeField; 11] = [
        MergeField::Name,
        MergeField::Phone,
        MergeField::Source,
        MergeField::Intent,
        MergeField::Grade,
        MergeField::CreditCode,
        MergeField::Industry,
        MergeField::Province,
        MergeField::City,
        MergeField::NextFollowUpAt,
        MergeField::Owner,
    ];

    /// The stable name used in forms, JSON and audit rows.
    pub fn code(self) -> &'static str {
        match self {
            MergeField::Name => "name",
            MergeField::Phone => "phone",
            MergeField::Source => "source",
            MergeField::Intent => "intent",
            MergeField::Grade => "grade",
            MergeField::CreditCode => "credit_code",
            MergeField::Industry => "industry",
            MergeField::Province => "province",
            MergeField::City => "city",
            MergeField::NextFollowUpAt => "next_follow_up_at",
            MergeField::Owner => "owner",
        }
    }

    /// Parses a field name.
    pub fn parse(s: &str) -> Option<MergeField> {
        Self::ALL.into_iter().find(|f| f.code() == s)
    }
}

/// What a manager sends: the records, the one kept, and per field the record its value
/// comes from (fields not named come from the kept record). Unknown members are refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// Every record of the merge, the kept one included.
    #[serde(default)]
    pub customers: Vec<i64>,
    /// The record that survives.
    pub kept: Option<i64>,
    /// Field name → id of the record whose value is taken.
    #[serde(default)]
    pub fields: BTreeMap<String, i64>,
    /// Record id (as text) → the version the choice was made on; a record changed since is
    /// a stale merge and nothing is written.
    #[serde(default)]
    pub versions: BTreeMap<String, i64>,
    /// Why, in the manager's words.
    pub reason: Option<String>,
}

/// A validated choice: which records, which one is kept, where each field comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeChoice {
    /// The surviving record.
    pub kept: CustomerId,
    /// The records merged into it, in the order given.
    pub merged: Vec<CustomerId>,
    /// Field → the record its value comes from (the kept one when not named).
    pub sources: BTreeMap<MergeField, CustomerId>,
    /// Versions the choice was made on, by record.
    pub versions: BTreeMap<CustomerId, i64>,
    /// Why.
    pub reason: Option<String>,
}

impl MergeChoice {
    /// Validates the input, reporting every bad field at once.
    pub fn parse(input: &MergeInput) -> Result<MergeChoice, FieldErrors> {
        let mut errs = FieldErrors::default();
        let mut ids: Vec<CustomerId> = Vec::new();
        for id in input.customers.iter().map(|i| CustomerId(*i)) {
            if ids.contains(&id) {
                errs.0.push(FieldError::new("customers", "merge.repeated"));
            } else {
                ids.push(id);
            }
        }
        if ids.len() < 2 {
            errs.0.push(FieldError::new("customers", "merge.too_few"));
        } else if ids.len() > MAX_RECORDS {
            errs.0.push(FieldError::new("customers", "merge.too_many"));
        }
        let kept = match input.kept.map(CustomerId) {
            None => {
                errs.0.push(FieldError::new("kept", "required"));
                None
            }
            Some(k) if !ids.contains(&k) => {
                errs.0.push(FieldError::new("kept", "merge.not_in_merge"));
                None
            }
            Some(k) => Some(k),
        };
        let mut sources = BTreeMap::new();
        for (name, id) in &input.fields {
            match MergeField::parse(name) {
                None => errs.0.push(FieldError::new(name.clone(), "unknown_field")),
                Some(f) if !ids.contains(&CustomerId(*id)) => {
                    errs.0.push(FieldError::new(f.code(), "merge.not_in_merge"))
                }
                Some(f) => {
                    sources.insert(f, CustomerId(*id));
                }
            }
        }
        let mut versions = BTreeMap::new();
        for (key, v) in &input.versions {
            match key.parse::<i64>().map(CustomerId) {
                Ok(id) if ids.contains(&id) => {
                    versions.insert(id, *v);
                }
                _ => errs
                    .0
                    .push(FieldError::new("versions", "merge.not_in_merge")),
            }
        }
        let reason = errs.collect(optional_text("reason", input.reason.as_deref(), 500));
        errs.into_result()?;
        let kept = kept.ok_or_else(|| FieldError::new("kept", "required"))?;
        Ok(MergeChoice {
            kept,
            merged: ids.into_iter().filter(|i| *i != kept).collect(),
            sources,
            versions,
            reason: reason.flatten(),
        })
    }

    /// Every record of the merge, kept first.
    pub fn records(&self) -> Vec<CustomerId> {
        std::iter::once(self.kept)
            .chain(self.merged.iter().copied())
            .collect()
    }

    /// The record `field` comes from.
    pub fn source(&self, field: MergeField) -> CustomerId {
        self.sources.get(&field).copied().unwrap_or(self.kept)
    }
}

/// A phone the merge would otherwise lose: kept as a contact of the surviving customer.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftoverPhone {
    /// The record it belonged to.
    pub from: CustomerId,
    /// That record's name, used as the contact's name.
    pub name: String,
    /// The phone.
    pub phone: Phone,
}

/// A merge decided: the result, the records as they were, and what else moves.
#[derive(Debug, Clone, PartialEq)]
pub struct MergePlan {
    /// The choice it was made from.
    pub choice: MergeChoice,
    /// The kept record as it was.
    pub kept_before: Customer,
    /// The merged records as they were, in the choice's order.
    pub merged: Vec<Customer>,
    /// The kept record after the merge (same id and version as `kept_before`).
    pub result: Customer,
    /// Phones of records not chosen as the main phone, to become contacts of the result.
    pub leftover_phones: Vec<LeftoverPhone>,
}

impl MergePlan {
    /// Whether the kept customer changes owner.
    pub fn changes_owner(&self) -> bool {
        self.kept_before.owner_id != self.result.owner_id
    }

    /// The fields whose value changes on the kept record: (field, before, after) as text.
    pub fn changed_fields(&self) -> Vec<(MergeField, Option<String>, Option<String>)> {
        let (a, b) = (
            CustomerFields::of(&self.kept_before),
            CustomerFields::of(&self.result),
        );
        MergeField::ALL
            .into_iter()
            .map(|f| (f, a.text(f), b.text(f)))
            .filter(|(_, x, y)| x != y)
            .collect()
    }
}

/// Why a merge cannot be planned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// A record of the choice was not loaded (unknown, or not one the actor may merge).
    #[error("customer {0} not found")]
    NotFound(CustomerId),
    /// A record changed since the choice was made.
    #[error("customer {0} changed since")]
    Stale(CustomerId),
}

/// Whether `actor` may merge a customer with these facts: managers within their subtree
/// (and the pool), admins everywhere; reps never.
pub fn may_merge(actor: &Actor, owner_team_path: Option<&str>, in_pool: bool) -> bool {
    match actor.role {
        Role::Rep => false,
        Role::Admin => true,
        Role::Manager => in_pool || actor.manages_team_path(owner_team_path),
    }
}

/// Plans the merge of `records` (as loaded, any order) according to `choice`.
pub fn plan(records: &[Customer], choice: &MergeChoice) -> Result<MergePlan, MergeError> {
    let find = |id: CustomerId| {
        records
            .iter()
            .find(|c| c.id == id)
            .ok_or(MergeError::NotFound(id))
    };
    for id in choice.records() {
        let c = find(id)?;
        if choice.versions.get(&id).is_some_and(|v| *v != c.version) {
            return Err(MergeError::Stale(id));
        }
    }
    let kept_before = find(choice.kept)?.clone();
    let merged = choice
        .merged
        .iter()
        .map(|id| find(*id).cloned())
        .collect::<Result<Vec<_>, _>>()?;
    let mut result = kept_before.clone();
    for field in MergeField::ALL {
        take(field, find(choice.source(field))?, &mut result);
    }
    let mut leftover_phones: Vec<LeftoverPhone> = Vec::new();
    for c in std::iter::once(&kept_before).chain(&merged) {
        let known = c.phone.e164() == result.phone.e164()
            || leftover_phones
                .iter()
                .any(|l| l.phone.e164() == c.phone.e164());
        if !known {
            leftover_phones.push(LeftoverPhone {
                from: c.id,
                name: c.name.clone(),
                phone: c.phone.clone(),
            });
        }
    }
    Ok(MergePlan {
        choice: choice.clone(),
        kept_before,
        merged,
        result,
        leftover_phones,
    })
}

/// Copies `field` of `from` onto `to`.
fn take(field: MergeField, from: &Customer, to: &mut Customer) {
    match field {
        MergeField::Name => to.name.clone_from(&from.name),
        MergeField::Phone => to.phone.clone_from(&from.phone),
        MergeField::Source => to.source = from.source,
        MergeField::Intent => to.intent = from.intent,
        MergeField::Grade => to.grade = from.grade,
        MergeField::CreditCode => to.credit_code.clone_from(&from.credit_code),
        MergeField::Industry => to.industry.clone_from(&from.industry),
        MergeField::Province => to.province.clone_from(&from.province),
        MergeField::City => to.city.clone_from(&from.city),
        MergeField::NextFollowUpAt => to.next_follow_up_at = from.next_follow_up_at,
        MergeField::Owner => {
            to.owner_id = from.owner_id;
            to.owner_name.clone_from(&from.owner_name);
            to.owner_team_path.clone_from(&from.owner_team_path);
        }
    }
}

#[path = "merge_reversal.rs"]
mod reversal;
pub use reversal::{CustomerFields, Reversal, reversal};

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
