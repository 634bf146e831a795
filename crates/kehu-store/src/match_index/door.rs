//! The duplicate check at the door in one statement: the index's fuzzy candidates (as
//! [`Store::match_candidates`] finds them) and the customers sharing an identity key (as
//! [`Store::customers_sharing_keys`] finds them), read together.
//!
//! One statement reads both from one snapshot, so a customer saved concurrently is seen by
//! both reads or by neither: never as a similar name while its shared mobile goes unseen.
//! It is also one round trip instead of two or three (on SQLite, each statement is a hop to
//! the connection's thread and back).

use super::Candidate;
use super::lookup::{DataRow, candidates, push_ranked, sort_candidates};
use crate::Store;
use crate::db::query::Query;
use crate::error::StoreError;
use crate::identity::KeyMatch;
use chrono::{DateTime, Utc};
use kehu_domain::customer::keys::{IdentityKey, KeyKind};
use kehu_domain::customer::mask_phone;
use kehu_domain::identity::matching::index::Probe;
use kehu_domain::ids::CustomerId;

/// What the check at the door reads: exact and fuzzy matches.
#[derive(Debug, Clone, Default)]
pub struct DoorMatches {
    /// Customers sharing a key, as [`Store::customers_sharing_keys`] returns them.
    pub exact: Vec<KeyMatch>,
    /// The index's candidates, as [`Store::match_candidates`] returns them.
    pub candidates: Vec<Candidate>,
}

/// Keys are sent in multiples of this many (a phone and a credit code), padded with a kind
/// no key has, so the statement text depends only on the number of probes and keys rounded.
const KEY_BUCKET: usize = 2;

/// Rows per key, as in [`Store::customers_sharing_keys`].
const KEY_ROWS: usize = 20;

/// The candidates' data, a row per contact (`src` 0), in the columns of the key rows.
const CANDIDATE_ROWS: &str = " select 0 as src, c.id as id, c.name as name, c.phone as phone, \
     c.credit_code as credit_code, c.province as province, c.city as city, \
     c.owner_since as owner_since, o.name as owner_name, k.name as contact_name, \
     k.phone as contact_phone, r.shared as shared, k.id as ord, null as kind, null as strong, \
     null as value, r.name_n as name_n, r.sound_n as sound_n from r \
     join customers c on c.id = r.customer_id \
     left join users o on o.id = c.owner_id left join contacts k on k.customer_id = c.id \
     where c.merged_into is null";

/// The customers holding one key (`src` is the key's place, from 1), strong ones first.
const KEY_ROW_COLUMNS: &str = ", c.id, c.name, c.phone, cast(null as text), cast(null as text), \
     cast(null as text), c.owner_since, o.name, cast(null as text), cast(null as text), 0, 0, \
     k.kind, k.strong, k.value, cast(null as bigint), cast(null as bigint) \
     from identity_keys k join customers c on c.id = k.customer_id \
     left join users o on o.id = c.owner_id where k.kind = ";

struct DoorRow {
    src: i32,
    id: i64,
    name: String,
    phone: String,
    credit_code: Option<String>,
    province: Option<String>,
    city: Option<String>,
    owner_since: DateTime<Utc>,
    owner_name: Option<String>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    shared: i64,
    // `ord` (the contact's id) only orders the rows: not read.
    kind: Option<String>,
    strong: Option<bool>,
    value: Option<String>,
    name_n: Option<i64>,
    sound_n: Option<i64>,
}

/// The statement's columns in order, `ord` among them.
type RawDoorRow = (
    i32,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
    Option<String>,
    Option<bool>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

impl From<RawDoorRow> for DoorRow {
    fn from(r: RawDoorRow) -> DoorRow {
        let (src, id, name, phone, credit_code, province, city, owner_since, owner_name) =
            (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8);
        DoorRow {
            src,
            id,
            name,
            phone,
            credit_code,
            province,
            city,
            owner_since,
            owner_name,
            contact_name: r.9,
            contact_phone: r.10,
            shared: r.11,
            kind: r.13,
            strong: r.14,
            value: r.15,
            name_n: r.16,
            sound_n: r.17,
        }
    }
}

impl Store {
    /// The customers sharing one of `keys` and the index's best `limit` candidates for
    /// `probes` (`exclude` left out of the candidates only), read in one statement. Sees
    /// every customer, whoever owns it: the caller reveals only what the actor may see.
    pub async fn door_matches(
        &self,
        keys: &[IdentityKey],
        probes: &[Probe],
        exclude: Option<CustomerId>,
        limit: usize,
    ) -> Result<DoorMatches, StoreError> {
        if keys.is_empty() && (probes.is_empty() || limit == 0) {
            return Ok(DoorMatches::default());
        }
        let mut q = Query::default();
        // Without probes the candidate part reads only padding: no posting, no row.
        let probes = if limit == 0 { &[][..] } else { probes };
        push_ranked(&mut q, probes, exclude, limit.max(1));
        q.push(CANDIDATE_ROWS);
        let padded = keys.len().max(1).div_ceil(KEY_BUCKET) * KEY_BUCKET;
        for i in 0..padded {
            let (kind, value) = keys
                .get(i)
                .map_or(("", ""), |k| (k.kind.code(), k.value.as_str()));
            // A subquery: each key has its own order and limit.
            q.push(" union all select * from (select ")
                .push(i + 1)
                .push(KEY_ROW_COLUMNS)
                .push_bind(kind)
                .push(" and k.value = ")
                .push_bind(value)
                .push(" order by k.strong desc, k.customer_id limit ")
                .push(KEY_ROWS)
                .push(") e")
                .push(i + 1);
        }
        q.push(" order by 1, 2, 13");
        // On every check and every lead: its rows are read where they are, on a direct
        // reader, not handed over one by one from sqlx's connection thread.
        let rows: Vec<RawDoorRow> = self.read_all(&q).await?;
        let rows = rows.into_iter().map(DoorRow::from).collect();
        Ok(fold(rows))
    }
}

/// Splits the rows into key matches (in the order of the keys, then strong first, then by
/// customer; a customer once per kind) and candidates (best proposed first).
fn fold(rows: Vec<DoorRow>) -> DoorMatches {
    let (keyed, fuzzy): (Vec<DoorRow>, Vec<DoorRow>) = rows.into_iter().partition(|r| r.src > 0);
    let mut keyed: Vec<(i32, KeyMatch)> = keyed.into_iter().filter_map(key_match).collect();
    keyed.sort_by(|(a, x), (b, y)| {
        a.cmp(b)
            .then(y.strong.cmp(&x.strong))
            .then(x.customer_id.cmp(&y.customer_id))
    });
    let mut exact: Vec<KeyMatch> = Vec::new();
    for (_, m) in keyed {
        if !exact
            .iter()
            .any(|o| o.customer_id == m.customer_id && o.kind == m.kind)
        {
            exact.push(m);
        }
    }
    let rows: Vec<DataRow> = fuzzy
        .into_iter()
        .map(|r| {
            (
                r.id,
                r.name,
                r.phone,
                r.credit_code,
                r.province,
                r.city,
                r.owner_since,
                r.owner_name,
                r.contact_name,
                r.contact_phone,
                r.shared,
                r.name_n,
                r.sound_n,
            )
        })
        .collect();
    let mut candidates = candidates(rows);
    sort_candidates(&mut candidates);
    DoorMatches { exact, candidates }
}

fn key_match(r: DoorRow) -> Option<(i32, KeyMatch)> {
    let m = KeyMatch {
        customer_id: CustomerId(r.id),
        kind: KeyKind::parse(r.kind.as_deref()?)?,
        strong: r.strong?,
        masked_phone: mask_phone(&r.phone),
        name: r.name,
        owner_name: r.owner_name,
        owner_since: r.owner_since,
        value: r.value?,
    };
    Some((r.src, m))
}
