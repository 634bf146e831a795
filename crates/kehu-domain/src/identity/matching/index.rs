//! What a database index of blocking keys needs, so the check at the door finds its
//! candidates with a few index lookups instead of a scan: the keys a stored customer is
//! indexed under, the keys a new record probes with, and how to build a [`Record`] from a
//! stored customer.
//!
//! The pairing rules are those of [`super::cluster`]: a key with two roles pairs role A
//! with everyone and role B only with role A; a kind whose cap is 0 never pairs (it only
//! feeds statistics), so it is neither stored nor probed; a posting list longer than the
//! kind's cap is skipped, because a key that common says nothing.

use super::Record;
use super::blocking::{self, Key, Kind};
use super::prepare::Prepared;
use crate::customer::Phone;

/// Bump whenever blocking or normalisation changes the keys of a record: stored index rows
/// are then rebuilt (see also [`fingerprint`], which catches a forgotten bump).
pub const INDEX_VERSION: u32 = 1;

/// A key a stored customer is indexed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndexKey {
    /// The blocking key (a 64-bit hash, bit-cast to fit a signed database column).
    pub key: i64,
    /// The record's role in the key: role A pairs with everyone, role B only with role A.
    pub role_a: bool,
}

/// A key to look up for a query record, with the rules for what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The blocking key.
    pub key: i64,
    /// The query record's role in it.
    pub role_a: bool,
    /// The longest posting list still paired: a lookup reads at most this many rows, and
    /// finding this many means the key is too common (with the query record, the block is
    /// over the cap) and is skipped.
    pub cap: usize,
    /// The key is an exact value (phone, e-mail, credit code): worth more as evidence that
    /// a candidate is worth scoring.
    pub exact: bool,
    /// What part of the record the key is made of. The index tells, per candidate, how many
    /// postings the rarest shared key of the company name has
    /// ([`SharedKeys`](super::SharedKeys)).
    pub part: KeyPart,
}

/// What part of a record a key is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPart {
    /// An exact value: phone, e-mail, WeChat id, credit code.
    Identity,
    /// A character bigram of a Chinese company core (with the city, or alone).
    Name,
    /// A pinyin prefix of a company name, where Latin-letter names meet Chinese ones.
    Sound,
    /// A contact person's name with a city or a brand.
    Contact,
}

impl KeyPart {
    fn of(kind: Kind) -> Self {
        match kind {
            Kind::CityGram | Kind::Gram | Kind::CityBrand => Self::Name,
            Kind::CityPinyin | Kind::Pinyin | Kind::PinyinNoCity => Self::Sound,
            Kind::ContactCity | Kind::ContactBrand | Kind::Contact => Self::Contact,
            _ => Self::Identity,
        }
    }
}

impl Probe {
    /// Whether a stored posting of role `stored_a` pairs with the query record.
    pub fn pairs_with(&self, stored_a: bool) -> bool {
        let kind = Kind::of(self.key as u64);
        match (self.role_a, stored_a) {
            (true, true) => kind.pairs_within_a(),
            (true, false) | (false, true) => true,
            (false, false) => false,
        }
    }
}

/// The keys `p` is stored under: every blocking key of a kind that pairs, once.
pub fn index_keys(p: &Prepared) -> Vec<IndexKey> {
    let mut out: Vec<IndexKey> = pairing_keys(p)
        .map(|k| IndexKey {
            key: k.hash as i64,
            role_a: k.a,
        })
        .collect();
    // Role A first, so a key carried in both roles keeps the one that pairs more widely.
    out.sort_unstable_by_key(|k| (k.key, !k.role_a));
    out.dedup_by_key(|k| k.key);
    out
}

/// The keys to look up for a query record `p`.
pub fn probes(p: &Prepared) -> Vec<Probe> {
    index_keys(p)
        .into_iter()
        .map(|k| {
            let kind = Kind::of(k.key as u64);
            Probe {
                key: k.key,
                role_a: k.role_a,
                cap: kind.cap(),
                exact: kind.is_exact(),
                part: KeyPart::of(kind),
            }
        })
        .collect()
}

fn pairing_keys(p: &Prepared) -> impl Iterator<Item = Key> {
    let mut keys = Vec::new();
    blocking::keys(p, &mut keys);
    keys.into_iter().filter(|k| Kind::of(k.hash).cap() > 0)
}

/// A customer as stored: what the matching engine compares.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoredCustomer<'a> {
    /// Its name (a company name, or a person's for B2C).
    pub name: &'a str,
    /// Its main phone (E.164 or as typed).
    pub phone: Option<&'a str>,
    /// Its credit code.
    pub credit_code: Option<&'a str>,
    /// Province.
    pub province: Option<&'a str>,
    /// City.
    pub city: Option<&'a str>,
    /// Its contacts: name and phone.
    pub contacts: &'a [(&'a str, Option<&'a str>)],
}

/// How many phones of each kind a record field holds at most (the normaliser reads four).
const PHONES_PER_FIELD: usize = 4;

/// The matching record of a stored customer: the first contact's name is the record's
/// contact, and every phone (the customer's and its contacts') is sorted into mobile or
/// landline by what it is.
pub fn record_of(c: &StoredCustomer<'_>) -> Record {
    let (mut mobiles, mut landlines): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let phones = c
        .phone
        .into_iter()
        .chain(c.contacts.iter().filter_map(|k| k.1));
    for raw in phones {
        let mobile = Phone::parse("phone", raw).is_ok_and(|p| p.is_mobile());
        let list = if mobile { &mut mobiles } else { &mut landlines };
        if !list.contains(&raw) && list.len() < PHONES_PER_FIELD {
            list.push(raw);
        }
    }
    let joined = |l: Vec<&str>| (!l.is_empty()).then(|| l.join("/"));
    Record {
        id: String::new(),
        company: Some(c.name.to_owned()),
        contact: c.contacts.first().map(|k| k.0.to_owned()),
        mobile: joined(mobiles),
        landline: joined(landlines),
        credit_code: c.credit_code.map(str::to_owned),
        // A province alone still helps when it is a municipality (上海).
        city: c.city.or(c.province).map(str::to_owned),
        ..Record::default()
    }
}

/// A digest of the keys of a fixed set of records: it changes when blocking or
/// normalisation does, so stored index rows are rebuilt even if [`INDEX_VERSION`] was not
/// bumped.
pub fn fingerprint() -> u64 {
    const SAMPLES: &[(&str, &str, &str, &str)] = &[
        ("苏州华星精密机械有限公司", "13800138000", "苏州", "张伟"),
        (
            "Suzhou Huaxing Precision Co., Ltd.",
            "0512-6688 1234",
            "",
            "Zhang Wei",
        ),
        ("华兴精密", "+86 139 0013 9000", "江苏省苏州市", "李总"),
        (
            "上海申达物流（浦东分公司）",
            "021-5555 0000",
            "上海",
            "王建华",
        ),
        ("北京京东世纪贸易有限公司", "", "", ""),
    ];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, phone, city, contact) in SAMPLES {
        let contacts = [(*contact, None)];
        let record = record_of(&StoredCustomer {
            name,
            phone: Some(phone),
            city: Some(city),
            contacts: if contact.is_empty() { &[] } else { &contacts },
            ..StoredCustomer::default()
        });
        for k in index_keys(&Prepared::new(&record)) {
            h = (h ^ k.key as u64 ^ u64::from(k.role_a)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
