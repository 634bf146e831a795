//! The JSON shape of a customer, masked according to the reader's visibility.

use kehu_domain::access::Visibility;
use kehu_domain::customer::{Phone, mask_phone};
use kehu_store::customers::{Contact, CustomerView};
use serde::Serialize;

/// A customer as the API returns it.
#[derive(Debug, Serialize)]
pub struct CustomerJson {
    id: i64,
    name: String,
    /// E.164, or masked (`138****8000`) when `phone_masked`.
    phone: String,
    phone_ext: Option<String>,
    phone_masked: bool,
    source: &'static str,
    intent: &'static str,
    grade: Option<&'static str>,
    credit_code: Option<String>,
    industry: Option<String>,
    province: Option<String>,
    city: Option<String>,
    next_follow_up_at: Option<chrono::DateTime<chrono::Utc>>,
    in_pool: bool,
    owner: Option<UserRef>,
    owner_since: chrono::DateTime<chrono::Utc>,
    version: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contacts: Option<Vec<ContactJson>>,
    /// Similar customers the saving rep confirmed to be different ones (single reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed_distinct: Option<Vec<serde_json::Value>>,
}

/// A user reference.
#[derive(Debug, Serialize)]
pub struct UserRef {
    /// Id.
    pub id: i64,
    /// Display name.
    pub name: Option<String>,
}

#[derive(Debug, Serialize)]
struct ContactJson {
    id: i64,
    name: String,
    phone: Option<String>,
    title: Option<String>,
}

fn phone_for(p: &Phone, masked: bool) -> String {
    if masked {
        mask_phone(p.e164())
    } else {
        p.e164().to_owned()
    }
}

impl CustomerJson {
    /// Builds the JSON of a view; contacts are included when given.
    pub fn new(v: &CustomerView, contacts: Option<&[Contact]>) -> Self {
        let masked = v.visibility != Visibility::Full;
        let c = &v.customer;
        CustomerJson {
            id: c.id.0,
            name: c.name.clone(),
            phone: phone_for(&c.phone, masked),
            phone_ext: if masked {
                None
            } else {
                c.phone.extension().map(str::to_owned)
            },
            phone_masked: masked,
            source: c.source.code(),
            intent: c.intent.code(),
            grade: c.grade.map(|g| g.code()),
            credit_code: c.credit_code.clone(),
            industry: c.industry.clone(),
            province: c.province.clone(),
            city: c.city.clone(),
            next_follow_up_at: c.next_follow_up_at,
            in_pool: c.in_pool(),
            owner: c.owner_id.map(|id| UserRef {
                id: id.0,
                name: c.owner_name.clone(),
            }),
            owner_since: c.owner_since,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
            contacts: contacts.map(|list| {
                list.iter()
                    .map(|k| ContactJson {
                        id: k.id.0,
                        name: k.name.clone(),
                        phone: k.phone.as_ref().map(|p| phone_for(p, masked)),
                        title: k.title.clone(),
                    })
                    .collect()
            }),
            confirmed_distinct: None,
        }
    }

    /// Adds the recorded "different customer" confirmations.
    pub fn with_confirmations(mut self, list: Vec<serde_json::Value>) -> Self {
        self.confirmed_distinct = Some(list);
        self
    }
}
