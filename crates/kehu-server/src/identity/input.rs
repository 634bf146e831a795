//! What a duplicate check compares: the identity keys of the input (exact hits) and its
//! matching record (fuzzy hits).

use kehu_domain::customer::keys::{IdentityKey, keys_of, keys_of_new};
use kehu_domain::customer::{Customer, NewCustomer};
use kehu_domain::identity::matching::Record;
use kehu_domain::identity::matching::index::{StoredCustomer, record_of};
use kehu_store::customers::Contact;
use kehu_store::match_index::record_of_new;

/// The input of [`super::check`].
#[derive(Debug, Clone, Default)]
pub struct CheckInput {
    /// Keys looked up exactly (mobile, landline, credit code).
    pub keys: Vec<IdentityKey>,
    /// The record the fuzzy check compares (as much as has been typed).
    pub record: Record,
}

impl CheckInput {
    /// The check of a customer about to be created.
    pub fn of_new(new: &NewCustomer) -> Self {
        Self {
            keys: keys_of_new(new),
            record: record_of_new(new),
        }
    }

    /// The check of an edited customer with its stored contacts.
    pub fn of_customer(c: &Customer, contacts: &[Contact]) -> Self {
        let contacts: Vec<(&str, Option<&str>)> = contacts
            .iter()
            .map(|k| (k.name.as_str(), k.phone.as_ref().map(|p| p.e164())))
            .collect();
        Self {
            keys: keys_of(c),
            record: record_of(&StoredCustomer {
                name: &c.name,
                phone: Some(c.phone.e164()),
                credit_code: c.credit_code.as_deref(),
                province: c.province.as_deref(),
                city: c.city.as_deref(),
                contacts: &contacts,
            }),
        }
    }
}
