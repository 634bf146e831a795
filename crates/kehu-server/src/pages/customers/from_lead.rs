//! The new-customer form filled from a lead (转为客户): the lead's company, phone, contact,
//! place and trade, and its source where a customer source has the same code or name. The
//! rep checks and saves it as any new customer (duplicate checks included); the lead then
//! points at the customer (`crate::leads::convert` decides who may).

use super::new::NewForm;
use crate::error::{AppError, PageError};
use crate::i18n::{Locale, T};
use crate::leads::convert::{FIELD, convertible, lead_to_convert};
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::customer::{Phone, Source};
use kehu_domain::error::FieldError;
use kehu_domain::lead::LeadId;
use kehu_store::leads::Lead;

/// The form for a customer made from lead `id`, which must be `actor`'s to convert (else
/// the not-found page: the form does not exist for anyone else).
pub(super) async fn form_of(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<NewForm, PageError> {
    let lead = state
        .store
        .lead_for(actor, id)
        .await?
        .filter(|l| convertible(l, actor))
        .ok_or(AppError::NotFound)?;
    Ok(prefill(&lead))
}

/// The posted hidden field: no lead, or one `actor` may convert (else the field's error).
pub(super) async fn checked(
    state: &AppState,
    actor: &Actor,
    raw: &str,
) -> Result<Option<LeadId>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let id = raw
        .parse::<i64>()
        .map_err(|_| FieldError::new(FIELD, "invalid_type"))?;
    lead_to_convert(state, actor, id).await.map(Some)
}

/// The form's fields from `lead`.
fn prefill(lead: &Lead) -> NewForm {
    // The phone as people read it (national form), with its extension.
    let phone = lead.phone.clone().map_or_else(String::new, |p| {
        Phone::from_stored(p, lead.phone_ext.clone()).national()
    });
    let name = lead
        .company
        .clone()
        .or_else(|| lead.contact_name.clone())
        .unwrap_or_default();
    NewForm {
        name,
        phone,
        source: source_of(&lead.source_name).unwrap_or_default(),
        grade: lead.grade.clone().unwrap_or_default(),
        credit_code: lead.credit_code.clone().unwrap_or_default(),
        industry: lead.industry.clone().unwrap_or_default(),
        province: lead.province.clone().unwrap_or_default(),
        city: lead.city.clone().unwrap_or_default(),
        contact_name: lead.contact_name.clone().unwrap_or_default(),
        from_lead: lead.id.to_string(),
        ..NewForm::blank()
    }
}

/// The customer source whose code or name (in either language) is the lead source's name.
fn source_of(lead_source: &str) -> Option<String> {
    let wanted = lead_source.trim();
    Source::ALL.iter().find_map(|s| {
        let key = format!("source.{}", s.code());
        let named = [Locale::ZhCn, Locale::En]
            .into_iter()
            .any(|l| T(l).t(&key) == wanted);
        (named || s.code() == wanted).then(|| s.code().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_source_named_like_a_customer_source_is_that_source() {
        assert_eq!(source_of("官网表单").as_deref(), Some("web"));
        assert_eq!(source_of("Trade show").as_deref(), Some("trade_show"));
        assert_eq!(source_of("douyin").as_deref(), Some("douyin"));
        assert_eq!(source_of("合作伙伴"), None);
    }
}
