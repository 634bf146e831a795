//! The claim's one read before the write lock: the access check, the ownership state the
//! domain decides on and the body of the answer.

use crate::Store;
use crate::customers::{Contact, CustomerView, view_of};
use crate::error::StoreError;
use crate::rows::{CustomerRow, customer_select, read_filter};
use crate::users::scope_pattern;
use kehu_domain::Actor;
use kehu_domain::access::visibility;
use kehu_domain::customer::Phone;
use kehu_domain::ids::{ContactId, CustomerId};

// What `customer_for` reads (the same filter; the policy is applied on top), with the
// contacts joined, one row each: the access check, the ownership state and the answer in one
// read before the write lock.
const READ: &str = concat!(
    "select q.*, ct.id as contact_id, ct.name as contact_name, ct.phone as contact_phone, \
     ct.phone_ext as contact_phone_ext, ct.title as contact_title from (",
    customer_select!(),
    "where c.id = $3 and c.merged_into is null and ",
    read_filter!(),
    ") q left join contacts ct on ct.customer_id = q.id order by ct.id"
);

#[derive(sqlx::FromRow)]
struct ReadRow {
    #[sqlx(flatten)]
    customer: CustomerRow,
    contact_id: Option<i64>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    contact_phone_ext: Option<String>,
    contact_title: Option<String>,
}

impl ReadRow {
    fn from_direct(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReadRow> {
        Ok(ReadRow {
            customer: CustomerRow::from_direct(r)?,
            contact_id: r.get("contact_id")?,
            contact_name: r.get("contact_name")?,
            contact_phone: r.get("contact_phone")?,
            contact_phone_ext: r.get("contact_phone_ext")?,
            contact_title: r.get("contact_title")?,
        })
    }
}

impl Store {
    /// [`Store::customer_for`] and [`Store::contacts`] in one statement.
    pub(super) async fn readable(
        &self,
        actor: &Actor,
        id: CustomerId,
    ) -> Result<Option<(CustomerView, Vec<Contact>)>, StoreError> {
        let scope = scope_pattern(actor);
        let direct = self.readers.read(|c| {
            let mut s = c.prepare_cached(READ)?;
            let rows = s.query_map(
                rusqlite::named_params! {"$1": actor.user_id.0, "$2": scope, "$3": id.0},
                ReadRow::from_direct,
            )?;
            rows.collect::<Result<Vec<_>, _>>()
        });
        let rows: Vec<ReadRow> = match direct {
            Some(rows) => rows?,
            None => on_db!(&self.db, |p| sqlx::query_as(READ)
                .bind(actor.user_id.0)
                .bind(&scope)
                .bind(id.0)
                .fetch_all(p)
                .await)?,
        };
        let mut customer = None;
        let mut contacts = Vec::new();
        for r in rows {
            if let (Some(id), Some(name)) = (r.contact_id, r.contact_name) {
                contacts.push(Contact {
                    id: ContactId(id),
                    name,
                    phone: r
                        .contact_phone
                        .map(|p| Phone::from_stored(p, r.contact_phone_ext)),
                    title: r.contact_title,
                });
            }
            customer.get_or_insert(r.customer);
        }
        let Some(row) = customer else { return Ok(None) };
        let view = view_of(row)?;
        // As in `customer_for`: if the SQL filter and the policy disagree, the stricter wins.
        let vis = visibility(actor, view.facts());
        Ok(vis.can_read().then_some((
            CustomerView {
                visibility: vis,
                ..view
            },
            contacts,
        )))
    }
}
