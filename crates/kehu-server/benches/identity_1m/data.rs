//! The data set: the records of `kehu dedupe --generate` (Chinese B2B firms, each entered one
//! to five times through forms, calls, business cards and imports, with their slips), read
//! back as what a rep would type into the new-customer form.
//!
//! The first record of each firm that parses becomes a customer, until there are N. The
//! firm's later records are the duplicates a rep would enter next: with the same mobile (an
//! exact hit) or with another person's number and a variant of the name (a fuzzy hit at
//! best). Records of firms never inserted are brand-new customers. Each probe keeps which
//! customer is its firm (the generator's `true_entity`), for the evaluation.

use crate::generate::generate;
use crate::vocab::PLACEHOLDERS;
use chrono::FixedOffset;
use kehu_domain::customer::keys::{StrongKeys, keys_of_new};
use kehu_domain::customer::{ContactInput, CustomerInput, NewCustomer, Phone};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// The generator's seed: the same seed gives the same customers on every machine.
pub const SEED: u64 = 2026;

/// Firms get 2.2 records on average; 2.5 per customer leaves firms over for new probes.
const RECORDS_PER_CUSTOMER: f64 = 2.5;

const SOURCES: [&str; 7] = [
    "web",
    "phone_call",
    "trade_show",
    "referral",
    "douyin",
    "ads",
    "other",
];

/// What a probe is expected to meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// Another record of a stored firm with the same mobile: an exact, blocking hit.
    SameMobile,
    /// Another record of a stored firm with another phone: only the name and city agree.
    SimilarName,
    /// A firm not stored.
    New,
}

impl ProbeKind {
    pub const ALL: [ProbeKind; 3] = [Self::SameMobile, Self::SimilarName, Self::New];

    pub fn label(self) -> &'static str {
        match self {
            Self::SameMobile => "same mobile",
            Self::SimilarName => "similar name, other phone",
            Self::New => "brand-new customer",
        }
    }
}

/// One on-create check: the parsed input, and the JSON body the form would send.
pub struct Probe {
    pub kind: ProbeKind,
    /// The customer of the same firm, as an index into [`Dataset::customers`]; `None` for a
    /// firm not stored.
    pub expected: Option<usize>,
    pub customer: NewCustomer,
    pub body: Value,
}

pub struct Dataset {
    /// Customers to insert, in order.
    pub customers: Vec<NewCustomer>,
    /// Checks, interleaved by kind (one of each in turn).
    pub probes: Vec<Probe>,
    /// Generated records read.
    pub records: usize,
}

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// A field as typed, or `None` for empty cells and the placeholders users type for "unknown".
fn cell(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && !PLACEHOLDERS.contains(&t)).then(|| t.to_owned())
}

/// The form input of a generated record: company, main phone (mobile, else landline), city,
/// credit code, and the contact person with the landline as their office phone when the
/// mobile took the main phone (a card or an import with both numbers).
fn input(r: &csv::StringRecord, i: usize) -> CustomerInput {
    let f = |k: usize| r.get(k).and_then(cell);
    let (mobile, landline) = (f(3), f(4));
    // A landline that does not parse is left out rather than losing the record.
    let office = mobile
        .as_ref()
        .and(landline.clone())
        .filter(|l| Phone::parse("phone", l).is_ok());
    CustomerInput {
        name: f(1),
        phone: mobile.or(landline),
        source: Some(SOURCES[i % SOURCES.len()].to_owned()),
        credit_code: f(9),
        city: f(7),
        contacts: f(2)
            .map(|name| ContactInput {
                name: Some(name),
                phone: office,
                ..Default::default()
            })
            .into_iter()
            .collect(),
        ..Default::default()
    }
}

fn body(i: &CustomerInput) -> Value {
    json!({ "name": i.name, "phone": i.phone, "credit_code": i.credit_code })
}

/// Records per generator run. The generator keeps every firm's e-mail domain distinct and a
/// brand's pinyin allows a few hundred, so one run of much more than a million records can
/// run out of them; larger sets are made of runs with consecutive seeds.
const RECORDS_PER_RUN: usize = 1_000_000;

/// Picks customers and probes from records as they come (see the module documentation).
struct Picker {
    n: usize,
    per_kind: usize,
    /// Firms stored, with the index of their customer.
    stored_firms: HashMap<String, usize>,
    strong: HashSet<String>,
    customers: Vec<NewCustomer>,
    by_kind: [Vec<Probe>; 3],
    records: usize,
}

impl Picker {
    fn done(&self) -> bool {
        self.customers.len() >= self.n && self.by_kind.iter().all(|l| l.len() >= self.per_kind)
    }

    /// Takes one record of generator run `run`.
    fn take(&mut self, run: u64, r: &csv::StringRecord) {
        let i = self.records;
        self.records += 1;
        let raw = input(r, i);
        let Ok(c) = NewCustomer::parse(&raw, china()) else {
            return;
        };
        let firm = format!("{run}/{}", r.get(10).unwrap_or_default());
        let strong = StrongKeys::default();
        let keys: Vec<String> = keys_of_new(&c)
            .into_iter()
            .filter(|k| strong.holds(k))
            .map(|k| format!("{}|{}", k.kind.code(), k.value))
            .collect();
        let expected = self.stored_firms.get(&firm).copied();
        let kind = if expected.is_some() {
            if keys.iter().any(|k| self.strong.contains(k)) {
                ProbeKind::SameMobile
            } else {
                ProbeKind::SimilarName
            }
        } else if self.customers.len() < self.n {
            // A mistyped digit can make another firm's number: skip, as the import would.
            if keys.iter().all(|k| !self.strong.contains(k)) {
                self.strong.extend(keys);
                self.stored_firms.insert(firm, self.customers.len());
                self.customers.push(c);
            }
            return;
        } else {
            ProbeKind::New
        };
        let list = &mut self.by_kind[kind as usize];
        if list.len() < self.per_kind {
            list.push(Probe {
                kind,
                expected,
                customer: c,
                body: body(&raw),
            });
        }
    }
}

/// Generates the records and picks `n` customers and up to `per_kind` probes of each kind.
pub fn build(n: usize, per_kind: usize) -> Dataset {
    let wanted = ((n as f64) * RECORDS_PER_CUSTOMER) as usize + 10_000;
    let mut p = Picker {
        n,
        per_kind,
        stored_firms: HashMap::new(),
        strong: HashSet::new(),
        customers: Vec::with_capacity(n),
        by_kind: Default::default(),
        records: 0,
    };
    for run in 0u64.. {
        if p.done() || p.records >= wanted + RECORDS_PER_RUN {
            break;
        }
        let records = RECORDS_PER_RUN.min(wanted.saturating_sub(p.records).max(10_000));
        let mut csv_bytes = Vec::with_capacity(records * 180);
        generate(records, SEED + run, &mut csv_bytes).expect("generate records");
        for r in csv::Reader::from_reader(csv_bytes.as_slice()).records() {
            p.take(run, &r.expect("generated CSV"));
            if p.done() {
                break;
            }
        }
    }
    let Picker {
        customers,
        by_kind,
        records: read,
        ..
    } = p;
    assert_eq!(customers.len(), n, "the generator ran out of firms");
    let [a, b, c] = by_kind;
    let mut probes = Vec::with_capacity(a.len() + b.len() + c.len());
    let (mut a, mut b, mut c) = (a.into_iter(), b.into_iter(), c.into_iter());
    loop {
        let next: Vec<Probe> = [a.next(), b.next(), c.next()]
            .into_iter()
            .flatten()
            .collect();
        if next.is_empty() {
            break;
        }
        probes.extend(next);
    }
    Dataset {
        customers,
        probes,
        records: read,
    }
}
