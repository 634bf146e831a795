//! The pool form's fields ⇄ a pool's rules. Field names are the rules' JSON paths
//! (`claim.per_day`, `by_grade.A.warn_days`), so a validation error lands at its field.

use kehu_domain::customer::Grade;
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::pool::PoolRules;
use kehu_store::pools::Pool;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The recycle rule's number fields and check boxes.
pub const RULE_NUMBERS: &[&str] = &["no_follow_up_days", "no_progress_days", "warn_days"];
/// Check boxes of a recycle rule.
pub const RULE_FLAGS: &[&str] = &["on_deal_lost", "exempt_won", "exempt_open_deal"];
/// The claim rule's number fields.
pub const CLAIM_NUMBERS: &[&str] = &[
    "per_day",
    "per_week",
    "per_month",
    "ownership_cap",
    "reclaim_ban_days",
];

/// What the form holds: values by field name, and the ticked members and whitelist.
#[derive(Debug, Clone, Default)]
pub struct PoolForm {
    /// Single values.
    pub values: HashMap<String, String>,
    /// Ticked member team ids.
    pub members: Vec<i64>,
    /// Ticked whitelist user ids.
    pub whitelist: Vec<i64>,
}

impl PoolForm {
    /// From posted pairs (repeated `member` and `whitelist`).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> PoolForm {
        let mut form = PoolForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "member" => form.members.extend(v.parse::<i64>().ok()),
                "whitelist" => form.whitelist.extend(v.parse::<i64>().ok()),
                _ => {
                    form.values.insert(k, v);
                }
            }
        }
        form
    }

    /// The value of `field`, or "".
    pub fn val(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    /// Whether a check box is ticked.
    pub fn checked(&self, field: &str) -> bool {
        self.values.contains_key(field)
    }

    /// A stored pool as form values.
    pub fn of_pool(p: &Pool) -> PoolForm {
        let mut form = PoolForm {
            members: p.members.iter().map(|m| m.id).collect(),
            whitelist: p.whitelist.iter().map(|m| m.id).collect(),
            ..PoolForm::default()
        };
        form.values.insert("name".into(), p.name.clone());
        form.put_rules(&p.rules);
        form
    }

    /// A new pool's form: the default rules.
    pub fn fresh() -> PoolForm {
        let mut form = PoolForm::default();
        form.put_rules(&PoolRules::default());
        form
    }

    fn put_rules(&mut self, r: &PoolRules) {
        let rules = serde_json::to_value(r).unwrap_or(Value::Null);
        self.put_rule("recycle", &rules["recycle"]);
        for (g, rule) in &r.by_grade {
            let prefix = format!("by_grade.{}", g.code());
            self.values.insert(format!("{prefix}.enabled"), "on".into());
            self.put_rule(&prefix, &serde_json::to_value(rule).unwrap_or(Value::Null));
        }
        for f in CLAIM_NUMBERS {
            self.put_number(&format!("claim.{f}"), &rules["claim"][*f]);
        }
        if r.claim.cap_counts_won {
            self.values
                .insert("claim.cap_counts_won".into(), "on".into());
        }
        self.put_number("lock_limit", &rules["lock_limit"]);
        self.put_number("recycle_to", &rules["recycle_to"]);
    }

    fn put_rule(&mut self, prefix: &str, rule: &Value) {
        for f in RULE_NUMBERS {
            self.put_number(&format!("{prefix}.{f}"), &rule[*f]);
        }
        for f in RULE_FLAGS {
            if rule[*f] == Value::Bool(true) {
                self.values.insert(format!("{prefix}.{f}"), "on".into());
            }
        }
    }

    fn put_number(&mut self, field: &str, v: &Value) {
        if let Some(n) = v.as_u64() {
            self.values.insert(field.to_owned(), n.to_string());
        }
    }

    /// The rules as JSON for `pools::parse`, or the fields that are not numbers.
    pub fn rules_json(&self) -> Result<Value, FieldErrors> {
        let mut errs = FieldErrors::default();
        let recycle = self.rule_json("recycle", &mut errs);
        let mut by_grade = Vec::new();
        for g in Grade::ALL {
            let prefix = format!("by_grade.{}", g.code());
            if self.checked(&format!("{prefix}.enabled")) {
                by_grade.push(json!([g.code(), self.rule_json(&prefix, &mut errs)]));
            }
        }
        let mut claim = Map::new();
        for f in CLAIM_NUMBERS {
            let v = self.number(&format!("claim.{f}"), &mut errs);
            let v = if *f == "reclaim_ban_days" {
                v.or(Some(0))
            } else {
                v
            };
            claim.insert((*f).to_owned(), json!(v));
        }
        claim.insert(
            "cap_counts_won".into(),
            json!(self.checked("claim.cap_counts_won")),
        );
        let value = json!({
            "recycle": recycle,
            "by_grade": by_grade,
            "claim": claim,
            "lock_limit": self.number("lock_limit", &mut errs),
            "recycle_to": self.number("recycle_to", &mut errs),
        });
        errs.into_result().map(|()| value)
    }

    fn rule_json(&self, prefix: &str, errs: &mut FieldErrors) -> Value {
        let mut rule = Map::new();
        for f in RULE_NUMBERS {
            let v = self.number(&format!("{prefix}.{f}"), errs);
            let v = if *f == "warn_days" { v.or(Some(0)) } else { v };
            rule.insert((*f).to_owned(), json!(v));
        }
        for f in RULE_FLAGS {
            rule.insert(
                (*f).to_owned(),
                json!(self.checked(&format!("{prefix}.{f}"))),
            );
        }
        Value::Object(rule)
    }

    fn number(&self, field: &str, errs: &mut FieldErrors) -> Option<u64> {
        let raw = self.val(field).trim();
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.0
                    .push(FieldError::new(field.to_owned(), "number_invalid"));
                None
            }
        }
    }
}
