//! Raw input from forms and JSON, parsed into values the rules can trust.

use super::Customer;
use super::fields::{CustomerName, Grade, IntentLevel, Source, optional_text};
use super::phone::Phone;
use crate::error::{FieldError, FieldErrors};
use crate::identity::{CreditCode, division};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;

/// A new customer as typed: every value still a string. Unknown fields are refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// 客户名称
    pub name: Option<String>,
    /// 电话
    pub phone: Option<String>,
    /// 来源 code
    pub source: Option<String>,
    /// 意向 code; defaults to medium
    pub intent: Option<String>,
    /// A/B/C
    pub grade: Option<String>,
    /// 统一社会信用代码
    pub credit_code: Option<String>,
    /// 行业
    pub industry: Option<String>,
    /// 省份
    pub province: Option<String>,
    /// 城市
    pub city: Option<String>,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in the team's time zone
    pub next_follow_up_at: Option<String>,
    /// Contacts, optional
    #[serde(default)]
    pub contacts: Vec<ContactInput>,
}

/// A contact as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// 姓名
    pub name: Option<String>,
    /// 电话
    pub phone: Option<String>,
    /// 职务
    pub title: Option<String>,
}

/// A contact that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    /// Name.
    pub name: String,
    /// Phone, optional.
    pub phone: Option<Phone>,
    /// Title, optional.
    pub title: Option<String>,
}

/// A new customer that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer {
    /// Name.
    pub name: CustomerName,
    /// Main phone.
    pub phone: Phone,
    /// Source.
    pub source: Source,
    /// Intent.
    pub intent: IntentLevel,
    /// Grade.
    pub grade: Option<Grade>,
    /// Unified social credit code.
    pub credit_code: Option<CreditCode>,
    /// Industry.
    pub industry: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Next follow-up.
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// Contacts.
    pub contacts: Vec<NewContact>,
}

fn required<'a>(field: &'static str, raw: Option<&'a str>) -> Result<&'a str, FieldError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| FieldError::new(field, "required"))
}

/// Parses a date-time: RFC 3339, or the naive `YYYY-MM-DDTHH:MM[:SS]` of an HTML
/// `datetime-local` input, read in `local` (the team's offset).
pub fn parse_datetime(
    field: &'static str,
    raw: &str,
    local: FixedOffset,
) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .and_then(|n| local.from_local_datetime(&n).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| FieldError::new(field, "datetime_invalid"))
}

fn optional_datetime(
    field: &'static str,
    raw: Option<&str>,
    local: FixedOffset,
) -> Result<Option<DateTime<Utc>>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_datetime(field, s, local).map(Some),
    }
}

impl NewCustomer {
    /// Validates every field at once, so a form can show all errors together. A valid
    /// credit code fills an empty province and city from its division digits.
    pub fn parse(input: &CustomerInput, local: FixedOffset) -> Result<NewCustomer, FieldErrors> {
        let name = CustomerName::parse(input.name.as_deref().unwrap_or(""));
        let phone =
            required("phone", input.phone.as_deref()).and_then(|p| Phone::parse("phone", p));
        let source = Source::parse(input.source.as_deref().unwrap_or(""));
        let intent = match input.intent.as_deref().map(str::trim) {
            None | Some("") => Ok(IntentLevel::Medium),
            Some(s) => IntentLevel::parse(s),
        };
        let grade = optional_grade(input.grade.as_deref());
        let credit_code = optional_credit_code(input.credit_code.as_deref());
        let industry = optional_text("industry", input.industry.as_deref(), 50);
        let province = optional_text("province", input.province.as_deref(), 20);
        let city = optional_text("city", input.city.as_deref(), 20);
        let next = optional_datetime(
            "next_follow_up_at",
            input.next_follow_up_at.as_deref(),
            local,
        );
        let contacts: Vec<_> = input
            .contacts
            .iter()
            .enumerate()
            .filter_map(|(i, c)| parse_contact(i, c).transpose())
            .collect();

        let mut errs = FieldErrors::default();
        note(&mut errs, &name);
        note(&mut errs, &phone);
        note(&mut errs, &source);
        note(&mut errs, &intent);
        note(&mut errs, &grade);
        note(&mut errs, &credit_code);
        note(&mut errs, &industry);
        note(&mut errs, &province);
        note(&mut errs, &city);
        note(&mut errs, &next);
        contacts.iter().for_each(|c| note(&mut errs, c));
        errs.into_result()?;

        // No error was noted, so none of the `?` below can fire.
        let credit_code = credit_code?;
        let (province, city) = fill_region(&credit_code, province?, city?);
        Ok(NewCustomer {
            name: name?,
            phone: phone?,
            source: source?,
            intent: intent?,
            grade: grade?,
            credit_code,
            industry: industry?,
            province,
            city,
            next_follow_up_at: next?,
            contacts: contacts.into_iter().collect::<Result<_, _>>()?,
        })
    }
}

/// Records the error of `r`, if any, keeping `r` for later use.
fn note<T>(errs: &mut FieldErrors, r: &Result<T, FieldError>) {
    if let Err(e) = r {
        errs.0.push(e.clone());
    }
}

fn optional_credit_code(raw: Option<&str>) -> Result<Option<CreditCode>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => CreditCode::parse("credit_code", s)
            .map(Some)
            .map_err(FieldError::from),
    }
}

/// Province and city as typed, or else as the credit code's division digits say.
fn fill_region(
    code: &Option<CreditCode>,
    province: Option<String>,
    city: Option<String>,
) -> (Option<String>, Option<String>) {
    let division = code
        .as_ref()
        .and_then(|c| division::lookup(c.division_code()));
    let Some(d) = division else {
        return (province, city);
    };
    let short = |n: &str| division::short_name(n).to_owned();
    (
        province.or_else(|| Some(short(d.province))),
        city.or_else(|| d.city.map(short)),
    )
}

fn optional_grade(raw: Option<&str>) -> Result<Option<Grade>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Grade::parse(s).map(Some),
    }
}

/// A contact row whose every field is empty is no contact at all (the form's blank row).
fn parse_contact(index: usize, c: &ContactInput) -> Result<Option<NewContact>, FieldError> {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if blank(&c.name) && blank(&c.phone) && blank(&c.title) {
        return Ok(None);
    }
    let field = |f: &str| format!("contacts[{index}].{f}");
    let name = optional_text("contact_name", c.name.as_deref(), 50)?
        .ok_or_else(|| FieldError::new(field("name"), "required"))?;
    let phone = match c.phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(p) => Some(Phone::parse(field("phone"), p)?),
    };
    let title = optional_text("contact_title", c.title.as_deref(), 50)?;
    Ok(Some(NewContact { name, phone, title }))
}

/// A change to an existing customer: absent fields stay, empty optional text clears.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    /// 客户名称
    pub name: Option<String>,
    /// 电话
    pub phone: Option<String>,
    /// 来源
    pub source: Option<String>,
    /// 意向
    pub intent: Option<String>,
    /// 等级; empty clears
    pub grade: Option<String>,
    /// 统一社会信用代码; empty clears
    pub credit_code: Option<String>,
    /// 行业; empty clears
    pub industry: Option<String>,
    /// 省份; empty clears
    pub province: Option<String>,
    /// 城市; empty clears
    pub city: Option<String>,
    /// next follow-up; empty clears
    pub next_follow_up_at: Option<String>,
}

impl CustomerPatch {
    /// Applies the patch to a copy of `current`, validating every given field.
    pub fn apply(&self, current: &Customer, local: FixedOffset) -> Result<Customer, FieldErrors> {
        let mut errs = FieldErrors::default();
        let mut next = current.clone();
        if let Some(v) = &self.name
            && let Some(n) = errs.collect(CustomerName::parse(v))
        {
            next.name = n.as_str().to_owned();
        }
        if let Some(v) = &self.phone
            && let Some(p) = errs.collect(Phone::parse("phone", v))
        {
            next.phone = p;
        }
        if let Some(v) = &self.source {
            next.source = errs.collect(Source::parse(v)).unwrap_or(next.source);
        }
        if let Some(v) = &self.intent {
            next.intent = errs.collect(IntentLevel::parse(v)).unwrap_or(next.intent);
        }
        if let Some(v) = &self.credit_code
            && let Some(c) = errs.collect(optional_credit_code(Some(v)))
        {
            next.credit_code = c.map(|c| c.as_str().to_owned());
        }
        if let Some(v) = &self.grade {
            next.grade = errs.collect(optional_grade(Some(v))).unwrap_or(next.grade);
        }
        let text = |errs: &mut FieldErrors,
                    f: &'static str,
                    v: &Option<String>,
                    cur: &Option<String>,
                    max| match v {
            Some(v) => errs
                .collect(optional_text(f, Some(v), max))
                .unwrap_or_else(|| cur.clone()),
            None => cur.clone(),
        };
        next.industry = text(&mut errs, "industry", &self.industry, &current.industry, 50);
        next.province = text(&mut errs, "province", &self.province, &current.province, 20);
        next.city = text(&mut errs, "city", &self.city, &current.city, 20);
        if let Some(v) = &self.next_follow_up_at
            && let Some(t) = errs.collect(optional_datetime("next_follow_up_at", Some(v), local))
        {
            next.next_follow_up_at = t;
        }
        errs.into_result().map(|()| next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).expect("valid offset")
    }

    fn input() -> CustomerInput {
        CustomerInput {
            name: Some("苏州华星精密".into()),
            phone: Some("138 0013 8000".into()),
            source: Some("web".into()),
            next_follow_up_at: Some("2026-11-25T10:00".into()),
            ..Default::default()
        }
    }

    #[test]
    fn minimal_entry_parses_with_defaults() {
        let c = NewCustomer::parse(&input(), shanghai()).expect("valid");
        assert_eq!(c.phone.e164(), "+8613800138000");
        assert_eq!(c.intent, IntentLevel::Medium);
        assert_eq!(
            c.next_follow_up_at.map(|t| t.to_rfc3339()),
            Some("2026-11-25T02:00:00+00:00".into())
        );
        assert!(c.contacts.is_empty());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = CustomerInput {
            name: Some(" ".into()),
            phone: Some("abc".into()),
            source: None,
            ..input()
        };
        let errs = NewCustomer::parse(&bad, shanghai()).unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["name", "phone", "source"]);
    }

    #[test]
    fn blank_contact_row_is_skipped_but_half_filled_one_is_named() {
        let mut i = input();
        i.contacts = vec![
            ContactInput::default(),
            ContactInput {
                phone: Some("13900001111".into()),
                ..Default::default()
            },
        ];
        let errs = NewCustomer::parse(&i, shanghai()).unwrap_err();
        assert_eq!(
            errs.0,
            vec![FieldError::new("contacts[1].name", "required")]
        );
    }
}
