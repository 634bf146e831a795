//! Candidate lookup with bounded work, in one statement however many keys: it reads the
//! posting list of every probed key that is under its kind's cap (the key's count in
//! `match_key_counts` decides, so a common key costs one primary-key read and returns
//! nothing), tallies the postings by customer, each weighted by how rare its key is, and
//! returns the best candidates' data with the posting count of the rarest name key each
//! shares with the query. Only candidate rows cross from the database: on SQLite each row is
//! a hop between threads.

use crate::Store;
use crate::db::Tx;
use crate::db::query::Query;
use crate::error::StoreError;
use chrono::{DateTime, Utc};
use kehu_domain::customer::mask_phone;
use kehu_domain::identity::matching::index::{KeyPart, Probe, StoredCustomer, record_of};
use kehu_domain::identity::matching::{Record, SharedKeys};
use kehu_domain::ids::CustomerId;

/// An existing customer the index proposes for comparison.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The customer.
    pub customer_id: CustomerId,
    /// Its name (always shown: the rep needs to know what they collide with).
    pub name: String,
    /// Its owner's name; `None` when it is in the pool.
    pub owner_name: Option<String>,
    /// Since when.
    pub owner_since: DateTime<Utc>,
    /// Its main phone, masked.
    pub masked_phone: String,
    /// What the matcher compares. Holds unmasked phones: compare it, never show it.
    pub record: Record,
    /// How strongly the index proposes it: the keys in common, each weighing 1,000 divided
    /// by its posting count (an exact one ten times that).
    pub shared: u32,
    /// Postings of the rarest name keys it shares with the query, for the matcher.
    pub shared_keys: SharedKeys,
}

/// id, name, phone, credit code, province, city, owner since, owner name, contact name,
/// contact phone, keys shared (weighted), postings of the rarest shared name key and of the
/// rarest shared sound key.
pub(super) type DataRow = (
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
    Option<i64>,
);

/// Probes are sent in multiples of this many (see `match_candidates`).
const PROBE_BUCKET: usize = 8;

/// A key no record has: blocking keys carry their kind (1 or more) in the top bits.
const NO_KEY: i64 = 0;

/// What a shared key counts for in the tally, divided by its posting count: a key only this
/// customer holds says more than one that twenty hold (天津|农业 next to 沛驰). An exact key
/// (phone, e-mail, credit code) counts ten times as much.
const KEY_WEIGHT: i64 = 1000;

/// What a posting's part is sent as: the tally keeps the fewest postings per part.
fn part_code(part: KeyPart) -> i32 {
    match part {
        KeyPart::Name => 1,
        KeyPart::Sound => 2,
        KeyPart::Identity | KeyPart::Contact => 0,
    }
}

/// After the postings (`p`): the tally by customer but the one excluded, and per customer the
/// postings of its rarest shared name key (part 1) and sound key (part 2)…
const TALLY: &str = "), r as (select customer_id, cast(sum(w) as bigint) as shared, \
     min(case when part = 1 then n end) as name_n, min(case when part = 2 then n end) as sound_n \
     from p where customer_id <> ";

/// …the best `limit`…
const RANKED: &str = " group by customer_id order by shared desc, customer_id desc limit ";

/// …and their data, a row per contact.
const DATA: &str = " select c.id, c.name, c.phone, c.credit_code, c.province, c.city, c.owner_since, \
     o.name, k.name, k.phone, r.shared, r.name_n, r.sound_n from r \
     join customers c on c.id = r.customer_id \
     left join users o on o.id = c.owner_id left join contacts k on k.customer_id = c.id \
     where c.merged_into is null order by c.id, k.id";

impl Store {
    /// The customers that share a pairing key with the probes, best proposed first, at most
    /// `limit` of them; `exclude` (the record being edited) is left out. Sees every customer,
    /// whoever owns it: the caller reveals only what the actor may see.
    ///
    /// One statement: the postings of every probed key under its cap, tallied by customer in
    /// the database (an exact key counting ten), the best `limit` joined to their data. Only
    /// the candidates' rows come back, not every posting.
    pub async fn match_candidates(
        &self,
        probes: &[Probe],
        exclude: Option<CustomerId>,
        limit: usize,
    ) -> Result<Vec<Candidate>, StoreError> {
        if probes.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut q = Query::default();
        push_ranked(&mut q, probes, exclude, limit);
        q.push(DATA);
        let rows: Vec<DataRow> = self.read_all(&q).await?;
        let mut found = candidates(rows);
        sort_candidates(&mut found);
        Ok(found)
    }
}

/// Pushes `with p (…), r (…)`: the postings of every probed key under its cap (`p`) and the
/// best `limit` customers by their tally (`r`: `customer_id`, `shared`), `exclude` left out.
pub(super) fn push_ranked(
    q: &mut Query,
    probes: &[Probe],
    exclude: Option<CustomerId>,
    limit: usize,
) {
    q.push("with p (customer_id, w, n, part) as (");
    // Padded with keys no record has, so the statement text (and its prepared form, cached
    // per connection) depends only on the number of keys rounded up; never empty.
    let padded = probes.len().max(1).div_ceil(PROBE_BUCKET) * PROBE_BUCKET;
    for i in 0..padded {
        let (key, cap, a, b, w, part) = match probes.get(i) {
            Some(probe) => (
                probe.key,
                probe.cap as i64,
                probe.pairs_with(true),
                probe.pairs_with(false),
                if probe.exact {
                    10 * KEY_WEIGHT
                } else {
                    KEY_WEIGHT
                },
                part_code(probe.part),
            ),
            None => (NO_KEY, 0, false, false, 0, 0),
        };
        if i > 0 {
            q.push(" union all ");
        }
        // Only postings whose role pairs with the query's are read; the key's count (both
        // roles, as batch blocking counts) is one primary-key read, and a key at or over its
        // cap is not read at all. The count is the outer loop (`cross join` fixes the order
        // on SQLite): as a scalar subquery in the posting scan's WHERE, SQLite tested it on
        // every posting, so a key of 13,000 postings cost half a millisecond to skip.
        // The weight is divided by the key's count (at least 1: a count is never below its
        // postings, but a division by zero must not fail the statement on PostgreSQL).
        q.push("select k.customer_id, cast(")
            .push_bind(w)
            .push(" as bigint) / (case when m.n > 1 then m.n else 1 end), m.n, cast(")
            .push_bind(part)
            .push(" as integer) from match_key_counts m cross join match_keys k where m.key = ")
            .push_bind(key)
            .push(" and m.n < ")
            .push_bind(cap)
            .push(" and k.key = m.key and ((k.role_a and ")
            .push_bind(a)
            .push(") or (not k.role_a and ")
            .push_bind(b)
            .push("))");
    }
    // No customer has id 0. The limit is written into the text, not bound: SQLite
    // re-prepares a statement on every new binding of a LIMIT parameter (the planner may use
    // its value), which cost a fifth of the check.
    q.push(TALLY)
        .push_bind(exclude.map_or(0, |c| c.0))
        .push(RANKED)
        .push(limit)
        .push(")");
}

/// Best proposed first (most keys shared), then by id.
pub(super) fn sort_candidates(found: &mut [Candidate]) {
    found.sort_by(|a, b| {
        b.shared
            .cmp(&a.shared)
            .then(a.customer_id.cmp(&b.customer_id))
    });
}

/// Folds joined rows (one per contact, ordered by customer) into candidates.
pub(super) fn candidates(rows: Vec<DataRow>) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut contacts: Vec<(String, Option<String>)> = Vec::new();
    let mut current: Option<DataRow> = None;
    for row in rows {
        if current.as_ref().is_some_and(|c| c.0 != row.0) {
            out.extend(current.take().map(|c| candidate(c, &contacts)));
            contacts.clear();
        }
        if let Some(name) = row.8.clone() {
            contacts.push((name, row.9.clone()));
        }
        current.get_or_insert(row);
    }
    out.extend(current.map(|c| candidate(c, &contacts)));
    out
}

fn candidate(row: DataRow, contacts: &[(String, Option<String>)]) -> Candidate {
    let (
        id,
        name,
        phone,
        credit_code,
        province,
        city,
        owner_since,
        owner_name,
        _,
        _,
        shared,
        name_n,
        sound_n,
    ) = row;
    let postings = |n: Option<i64>| n.map(|n| u32::try_from(n.max(1)).unwrap_or(u32::MAX));
    let record = stored_record(
        &name,
        &phone,
        credit_code.as_deref(),
        province.as_deref(),
        city.as_deref(),
        contacts,
    );
    Candidate {
        customer_id: CustomerId(id),
        masked_phone: mask_phone(&phone),
        name,
        owner_name,
        owner_since,
        record,
        shared: u32::try_from(shared).unwrap_or(u32::MAX),
        shared_keys: SharedKeys {
            name: postings(name_n),
            sound: postings(sound_n),
        },
    }
}

fn stored_record(
    name: &str,
    phone: &str,
    credit_code: Option<&str>,
    province: Option<&str>,
    city: Option<&str>,
    contacts: &[(String, Option<String>)],
) -> Record {
    let contacts: Vec<(&str, Option<&str>)> = contacts
        .iter()
        .map(|(n, p)| (n.as_str(), p.as_deref()))
        .collect();
    record_of(&StoredCustomer {
        name,
        phone: Some(phone),
        credit_code,
        province,
        city,
        contacts: &contacts,
    })
}

/// name, phone, credit code, province, city.
type RecordRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The matching record of a stored customer, read in the caller's transaction.
pub(super) async fn load_record(
    tx: &mut Tx,
    customer: CustomerId,
) -> Result<Option<Record>, StoreError> {
    let (row, contacts): (Option<RecordRow>, Vec<(String, Option<String>)>) = on_tx!(tx, |c| {
        let row = sqlx::query_as(
            "select name, phone, credit_code, province, city from customers \
             where id = $1 and merged_into is null",
        )
        .bind(customer.0)
        .fetch_optional(&mut *c)
        .await?;
        let contacts =
            sqlx::query_as("select name, phone from contacts where customer_id = $1 order by id")
                .bind(customer.0)
                .fetch_all(&mut *c)
                .await?;
        (row, contacts)
    });
    Ok(row.map(|(name, phone, credit_code, province, city)| {
        stored_record(
            &name,
            &phone,
            credit_code.as_deref(),
            province.as_deref(),
            city.as_deref(),
            &contacts,
        )
    }))
}

/// A contact of the rebuild: customer id, name, phone.
pub(super) type ContactRow = (i64, String, Option<String>);

/// Rows of the rebuild: id and the data of [`load_record`].
pub(super) type BatchRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The matching record of a rebuild row and its contacts.
pub(super) fn batch_record(row: BatchRow, contacts: &[(String, Option<String>)]) -> Record {
    let (_, name, phone, credit_code, province, city) = row;
    stored_record(
        &name,
        &phone,
        credit_code.as_deref(),
        province.as_deref(),
        city.as_deref(),
        contacts,
    )
}
