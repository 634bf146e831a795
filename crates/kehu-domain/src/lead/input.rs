//! The intake payload: parsed field by field (each error names its field), the lead's own
//! keys (who sent it), and the idempotency fingerprint.

use super::profile::{parse_grade, parse_industry, parse_tags};
use crate::customer::keys::IdentityKey;
use crate::customer::{Grade, Phone, optional_text};
use crate::error::{FieldError, FieldErrors};
use crate::identity::matching::Record;
use crate::identity::{CreditCode, Email};
use crate::text::normalize_for_search;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Largest `extra` object accepted, in bytes of compact JSON.
pub const EXTRA_MAX_BYTES: usize = 4096;

/// The payload as sent (`POST /api/v1/leads`); unknown fields are refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    /// The source, for leads entered by hand (a source token's requests leave it out).
    pub source: Option<i64>,
    /// Company name.
    pub company: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Mobile or landline.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// WeChat id.
    pub wechat: Option<String>,
    /// Unified social credit code.
    pub credit_code: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Industry (行业), for routing rules and reps' skills.
    pub industry: Option<String>,
    /// Tags (product lines, campaigns …), for routing rules.
    pub tags: Option<Vec<String>>,
    /// Grade (A/B/C) as the sender judges it; a matched customer's own grade counts first.
    pub grade: Option<String>,
    /// What they wrote.
    pub message: Option<String>,
    /// Anything else the form collects, a JSON object of at most [`EXTRA_MAX_BYTES`].
    pub extra: Option<Value>,
}

/// A valid lead: normalised, bounded, with at least a company, a contact or a phone.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLead {
    /// Company name, whitespace squashed.
    pub company: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Phone, E.164.
    pub phone: Option<Phone>,
    /// E-mail, lowercased.
    pub email: Option<Email>,
    /// WeChat id as typed (trimmed).
    pub wechat: Option<String>,
    /// Credit code, checked.
    pub credit_code: Option<CreditCode>,
    /// Province.
    pub province: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Industry, whitespace squashed.
    pub industry: Option<String>,
    /// Tags, each once (see [`parse_tags`]).
    pub tags: Vec<String>,
    /// The grade the sender states.
    pub grade: Option<Grade>,
    /// Message.
    pub message: Option<String>,
    /// Free fields, a JSON object.
    pub extra: Option<Map<String, Value>>,
}

impl NewLead {
    /// Parses every field, collecting all errors at once.
    pub fn parse(input: &LeadInput) -> Result<NewLead, FieldErrors> {
        let mut errs = FieldErrors::default();
        let text = |field: &'static str, raw: &Option<String>, max: usize| {
            optional_text(field, raw.as_deref(), max)
        };
        let company = errs.collect(text("company", &input.company, 100)).flatten();
        let contact_name = errs
            .collect(text("contact_name", &input.contact_name, 50))
            .flatten();
        let phone = errs
            .collect(
                present(&input.phone)
                    .map(|p| Phone::parse("phone", p))
                    .transpose(),
            )
            .flatten();
        let email = errs
            .collect(
                present(&input.email)
                    .map(|e| Email::parse("email", e))
                    .transpose(),
            )
            .flatten();
        let wechat = errs.collect(text("wechat", &input.wechat, 64)).flatten();
        let credit_code = errs
            .collect(
                present(&input.credit_code)
                    .map(|c| CreditCode::parse("credit_code", c).map_err(FieldError::from))
                    .transpose(),
            )
            .flatten();
        let province = errs
            .collect(text("province", &input.province, 30))
            .flatten();
        let city = errs.collect(text("city", &input.city, 30)).flatten();
        let industry = errs
            .collect(parse_industry(input.industry.as_deref()))
            .flatten();
        let tags = parse_tags(input.tags.as_deref()).unwrap_or_else(|e| {
            errs.0.extend(e.0);
            Vec::new()
        });
        let grade = errs.collect(parse_grade(input.grade.as_deref())).flatten();
        let message = errs
            .collect(text("message", &input.message, 2000))
            .flatten();
        let extra = errs.collect(parse_extra(input.extra.as_ref())).flatten();
        let lead = NewLead {
            company,
            contact_name,
            phone,
            email,
            wechat,
            credit_code,
            province,
            city,
            industry,
            tags,
            grade,
            message,
            extra,
        };
        let named = |f: &str| errs.0.iter().any(|e| e.field == f);
        if lead.company.is_none()
            && lead.contact_name.is_none()
            && lead.phone.is_none()
            && !named("company")
            && !named("contact_name")
            && !named("phone")
        {
            for field in ["company", "contact_name", "phone"] {
                errs.0.push(FieldError::new(field, "lead_who_required"));
            }
        }
        errs.into_result().map(|()| lead)
    }

    /// The keys that say two leads are one person: mobile, e-mail, WeChat.
    pub fn keys(&self) -> Vec<LeadKey> {
        let mut keys = Vec::new();
        if let Some(p) = self.phone.as_ref().filter(|p| p.is_mobile()) {
            keys.push(LeadKey::new(LeadKeyKind::Mobile, p.e164()));
        }
        if let Some(e) = &self.email {
            keys.push(LeadKey::new(LeadKeyKind::Email, &e.normalized()));
        }
        if let Some(w) = &self.wechat {
            keys.push(LeadKey::new(LeadKeyKind::Wechat, &w.to_lowercase()));
        }
        keys
    }

    /// The customers' identity keys it is looked up by exactly (phone, credit code).
    pub fn identity_keys(&self) -> Vec<IdentityKey> {
        let mut keys: Vec<IdentityKey> = self.phone.iter().map(IdentityKey::phone).collect();
        keys.extend(
            self.credit_code
                .as_ref()
                .map(|c| IdentityKey::credit_code(c.as_str())),
        );
        keys
    }

    /// The matching record the fuzzy check compares with customers.
    pub fn record(&self) -> Record {
        let phone = self.phone.as_ref().map(|p| p.e164().to_owned());
        let mobile = self.phone.as_ref().is_some_and(Phone::is_mobile);
        Record {
            company: self.company.clone(),
            contact: self.contact_name.clone(),
            mobile: phone.clone().filter(|_| mobile),
            landline: phone.filter(|_| !mobile),
            email: self.email.as_ref().map(|e| e.as_str().to_owned()),
            wechat: self.wechat.clone(),
            city: self.city.clone().or_else(|| self.province.clone()),
            credit_code: self.credit_code.as_ref().map(|c| c.as_str().to_owned()),
            ..Record::default()
        }
    }

    /// The idempotency fingerprint: SHA-256 (hex) of the normalised payload and its source,
    /// so a retry that respells a phone is the same request and another body is not.
    pub fn fingerprint(&self, source: i64) -> String {
        let mut body = serde_json::json!({
            "source": source,
            "company": self.company,
            "contact_name": self.contact_name,
            "phone": self.phone.as_ref().map(|p| (p.e164(), p.extension())),
            "email": self.email.as_ref().map(Email::as_str),
            "wechat": self.wechat,
            "credit_code": self.credit_code.as_ref().map(CreditCode::as_str),
            "province": self.province,
            "city": self.city,
            "message": self.message,
            "extra": self.extra.as_ref().map(|m| canonical(&Value::Object(m.clone()))),
        });
        // Only when given, so a payload without them keeps the fingerprint it had before
        // these fields existed (a retry across an upgrade is still the same request).
        if let Some(m) = body.as_object_mut() {
            if let Some(i) = &self.industry {
                m.insert("industry".into(), Value::from(i.as_str()));
            }
            if !self.tags.is_empty() {
                // As a set: the same tags in another order or case are the same request.
                let mut tags: Vec<String> =
                    self.tags.iter().map(|t| normalize_for_search(t)).collect();
                tags.sort_unstable();
                m.insert("tags".into(), Value::from(tags));
            }
            if let Some(g) = self.grade {
                m.insert("grade".into(), Value::from(g.code()));
            }
        }
        hex(&Sha256::digest(canonical(&body).as_bytes()))
    }
}

fn present(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_extra(raw: Option<&Value>) -> Result<Option<Map<String, Value>>, FieldError> {
    match raw {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) if canonical(&Value::Object(m.clone())).len() > EXTRA_MAX_BYTES => {
            Err(FieldError::new("extra", "extra_too_large"))
        }
        Some(Value::Object(m)) => Ok((!m.is_empty()).then(|| m.clone())),
        Some(_) => Err(FieldError::new("extra", "extra_not_object")),
    }
}

/// Compact JSON with object keys sorted at every level, whatever map the build uses.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(a) => {
            let inner: Vec<String> = a.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a lead key is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadKeyKind {
    /// Mobile, E.164.
    Mobile,
    /// E-mail, normalised.
    Email,
    /// WeChat id, lowercased.
    Wechat,
}

impl LeadKeyKind {
    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Email => "email",
            Self::Wechat => "wechat",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<LeadKeyKind> {
        [Self::Mobile, Self::Email, Self::Wechat]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// One normalised key of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeadKey {
    /// Kind.
    pub kind: LeadKeyKind,
    /// Normalised value.
    pub value: String,
}

impl LeadKey {
    fn new(kind: LeadKeyKind, value: &str) -> LeadKey {
        LeadKey {
            kind,
            value: value.to_owned(),
        }
    }
}

#[cfg(test)]
#[path = "input_tests.rs"]
mod tests;
