//! Batch duplicate review (查重): the customers an actor may review, as records the matching
//! engine compares, and the owners of the ones it clusters.

use crate::Store;
use crate::error::StoreError;
use crate::users::scope_pattern;
use kehu_domain::Actor;
use kehu_domain::customer::Phone;
use kehu_domain::identity::matching::Record;
use kehu_domain::ids::CustomerId;
use std::collections::HashMap;

/// Rows per round trip: large enough that 1M customers take few queries, small enough that
/// one batch of rows is never more than a sliver of the records built from them.
const BATCH: i64 = 10_000;

/// Ids per `in (…)` list when looking up owners (well under either engine's bind limit).
const OWNER_CHUNK: usize = 500;

/// The review scope: admins everything (`$3` true), otherwise the actor's own customers and,
/// for managers, those owned within their subtree (`$4` is the scope pattern, which matches
/// no path for reps). Pool customers have no owner to reconcile, so only admins review them.
macro_rules! review_scope {
    () => {
        "($3 or c.owner_id = $2 or (c.owner_id is not null and ot.path like $4))"
    };
}

/// id, name, phone, credit code, city, province.
type CustomerRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// customer id, contact name, contact phone.
type ContactRow = (i64, String, Option<String>);

const CUSTOMERS: &str = concat!(
    "select c.id, c.name, c.phone, c.credit_code, c.city, c.province from customers c \
     left join users o on o.id = c.owner_id left join teams ot on ot.id = o.team_id \
     where c.id > $1 and c.merged_into is null and ",
    review_scope!(),
    " order by c.id limit $5"
);

const CONTACTS: &str = "select customer_id, name, phone from contacts \
     where customer_id >= $1 and customer_id <= $2 order by customer_id, id";

impl Store {
    /// Every customer `actor` may review, as a matching [`Record`] keyed by its id, in id
    /// order: admins all customers, managers those owned within their team subtree (their
    /// own included), reps their own. Customers merged into another are left out. The first contact's name is the record's contact;
    /// the customer's and its contacts' phones are sorted into mobile and landline.
    ///
    /// Rows are read in batches, so only the records (not the rows as well) are held for
    /// the whole set.
    pub async fn match_records(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(CustomerId, Record)>, StoreError> {
        let pattern = scope_pattern(actor);
        let mut out = Vec::new();
        let mut after = 0_i64;
        loop {
            let rows: Vec<CustomerRow> = on_db!(&self.db, |p| sqlx::query_as(CUSTOMERS)
                .bind(after)
                .bind(actor.user_id.0)
                .bind(actor.is_admin())
                .bind(&pattern)
                .bind(BATCH)
                .fetch_all(p)
                .await)?;
            let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
                break;
            };
            let (first, last) = (first.0, last.0);
            let contacts: Vec<ContactRow> = on_db!(&self.db, |p| sqlx::query_as(CONTACTS)
                .bind(first)
                .bind(last)
                .fetch_all(p)
                .await)?;
            let full = rows.len() as i64 == BATCH;
            out.reserve(rows.len());
            fold_batch(rows, &contacts, &mut out);
            if !full {
                break;
            }
            after = last;
        }
        Ok(out)
    }

    /// The owner's name of each of `ids` that `actor` may review (pool customers and ids
    /// outside the actor's review scope are absent).
    pub async fn review_owners(
        &self,
        actor: &Actor,
        ids: &[CustomerId],
    ) -> Result<HashMap<CustomerId, String>, StoreError> {
        let pattern = scope_pattern(actor);
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(OWNER_CHUNK) {
            let rows: Vec<(i64, String)> = on_db!(&self.db, |p| {
                let mut q = sqlx::QueryBuilder::new(
                    "select c.id, o.name from customers c join users o on o.id = c.owner_id \
                     left join teams ot on ot.id = o.team_id where c.merged_into is null and (",
                );
                q.push_bind(actor.is_admin())
                    .push(" or c.owner_id = ")
                    .push_bind(actor.user_id.0)
                    .push(" or ot.path like ")
                    .push_bind(&pattern)
                    .push(") and c.id in (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(id.0);
                }
                q.push(")");
                q.build_query_as().fetch_all(p).await
            })?;
            out.extend(rows.into_iter().map(|(id, name)| (CustomerId(id), name)));
        }
        Ok(out)
    }
}

/// Turns one batch of customer rows (ascending ids) and the contacts in their id range into
/// records. Contacts of customers outside the actor's scope fall in the range too and are
/// skipped.
fn fold_batch(
    rows: Vec<CustomerRow>,
    contacts: &[ContactRow],
    out: &mut Vec<(CustomerId, Record)>,
) {
    let mut contacts = contacts.iter().peekable();
    for (id, name, phone, credit_code, city, province) in rows {
        let mut record = Record {
            id: id.to_string(),
            company: Some(name),
            credit_code,
            // A province alone still helps when it is a municipality (上海).
            city: city.or(province),
            ..Record::default()
        };
        let mut phones = Phones::default();
        phones.add(&Phone::from_stored(phone, None));
        while let Some((cid, _, _)) = contacts.peek() {
            if *cid > id {
                break;
            }
            let Some((cid, contact, phone)) = contacts.next() else {
                break;
            };
            if *cid < id {
                continue;
            }
            if record.contact.is_none() {
                record.contact = Some(contact.clone());
            }
            if let Some(p) = phone {
                phones.add(&Phone::from_stored(p.clone(), None));
            }
        }
        record.mobile = joined(&phones.mobile);
        record.landline = joined(&phones.landline);
        out.push((CustomerId(id), record));
    }
}

/// Phones of one customer sorted by kind, each kind a `/`-separated list as a record field
/// may hold.
#[derive(Default)]
struct Phones {
    mobile: Vec<String>,
    landline: Vec<String>,
}

impl Phones {
    fn add(&mut self, phone: &Phone) {
        let list = if phone.is_mobile() {
            &mut self.mobile
        } else {
            &mut self.landline
        };
        let e164 = phone.e164().to_owned();
        if !list.contains(&e164) {
            list.push(e164);
        }
    }
}

/// A record field holding several phones: `+8613800138000/+8613900139000`.
fn joined(list: &[String]) -> Option<String> {
    (!list.is_empty()).then(|| list.join("/"))
}
