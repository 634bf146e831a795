//! Customers: create, read through the access filter, update with an audit trail.

mod audit;
mod bulk;
mod list;
pub(crate) mod search;

pub use audit::AuditEntry;
pub use bulk::{BATCH_ROWS, BulkReport, BulkRow, RowError, RowProblem};
pub use list::{ListQuery, Scope};

use crate::db::with_retry;
use crate::error::StoreError;
use crate::rows::{CustomerRow, collaborator_access, customer_select, micros, read_filter};
use crate::users::scope_pattern;
use crate::{Store, identity, ownership};
use chrono::{DateTime, Utc};
use kehu_domain::access::{AccessFacts, CollaboratorAccess, Visibility, visibility};
use kehu_domain::customer::keys::keys_of_new;
use kehu_domain::customer::{Customer, NewCustomer, Phone};
use kehu_domain::ids::{ContactId, CustomerId, UserId};
use kehu_domain::{Actor, ownership as rules};
use serde::Serialize;

/// A customer as one actor may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerView {
    /// The record (phone unmasked here: mask on output according to `visibility`).
    pub customer: Customer,
    /// What the actor may see.
    pub visibility: Visibility,
    /// The actor's collaborator grant, if any.
    pub collaborator: Option<CollaboratorAccess>,
    /// Where it sits: its pool (unowned) and whether the owner locked it.
    pub place: crate::pools::Place,
}

impl CustomerView {
    /// The facts the access policy looks at.
    pub fn facts(&self) -> AccessFacts<'_> {
        AccessFacts {
            owner_id: self.customer.owner_id,
            owner_team_path: self.customer.owner_team_path.as_deref(),
            collaborator: self.collaborator,
            pool_open: self.place.pool_open,
        }
    }
}

/// id, name, phone, extension, title.
type ContactRow = (i64, String, Option<String>, Option<String>, Option<String>);

/// A contact person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    /// Id.
    pub id: ContactId,
    /// Name.
    pub name: String,
    /// Phone, E.164.
    pub phone: Option<Phone>,
    /// Title.
    pub title: Option<String>,
}

impl Store {
    /// Creates a customer owned by `actor`, with its contacts and its first ledger event,
    /// in one transaction.
    pub async fn create_customer(
        &self,
        actor: &Actor,
        new: &NewCustomer,
        now: DateTime<Utc>,
    ) -> Result<CustomerId, StoreError> {
        self.create_customer_confirming(actor, new, &[], now).await
    }

    /// [`Store::create_customer`], recording that the rep confirmed each of `distinct` to be
    /// another customer (in the same transaction).
    pub async fn create_customer_confirming(
        &self,
        actor: &Actor,
        new: &NewCustomer,
        distinct: &[crate::distinct::Distinct],
        now: DateTime<Utc>,
    ) -> Result<CustomerId, StoreError> {
        let now = micros(now);
        let keys = keys_of_new(new);
        let created = with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let id: i64 = on_tx!(&mut tx, |c| {
                let id: i64 = sqlx::query_scalar(
                    "insert into customers (name, name_normalized, phone, phone_ext, source, intent, grade, \
                     industry, province, city, next_follow_up_at, owner_id, owner_since, version, created_by, \
                     created_at, updated_at, credit_code) \
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, null, $12, 0, $13, $12, $12, $14) returning id",
                )
                .bind(new.name.as_str())
                .bind(new.name.normalized())
                .bind(new.phone.e164())
                .bind(new.phone.extension())
                .bind(new.source.code())
                .bind(new.intent.code())
                .bind(new.grade.map(|g| g.code()))
                .bind(new.industry.as_deref())
                .bind(new.province.as_deref())
                .bind(new.city.as_deref())
                .bind(new.next_follow_up_at.map(micros))
                .bind(now)
                .bind(actor.user_id.0)
                .bind(new.credit_code.as_ref().map(|c| c.as_str()))
                .fetch_one(&mut *c)
                .await?;
                for k in &new.contacts {
                    sqlx::query(
                        "insert into contacts (customer_id, name, phone, phone_ext, title, created_at) values ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(&k.name)
                    .bind(k.phone.as_ref().map(Phone::e164))
                    .bind(k.phone.as_ref().and_then(Phone::extension))
                    .bind(k.title.as_deref())
                    .bind(now)
                    .execute(&mut *c)
                    .await?;
                }
                id
            });
            identity::write_keys(&mut tx, CustomerId(id), &keys).await?;
            crate::match_index::index_customers(&mut tx, &[(CustomerId(id), new)]).await?;
            crate::distinct::record(&mut tx, CustomerId(id), actor, distinct, now).await?;
            search::refresh(&mut tx, CustomerId(id)).await?;
            ownership::apply(&mut tx, &rules::create(actor, CustomerId(id), now)).await?;
            tx.commit().await?;
            Ok(CustomerId(id))
        })
        .await;
        match created {
            Err(e) => Err(self.race_as_duplicate(e, &keys).await),
            ok => ok,
        }
    }

    /// Loads a customer if `actor` may read it; `None` otherwise (callers answer 404, so
    /// an id the actor may not read is indistinguishable from one that does not exist).
    pub async fn customer_for(
        &self,
        actor: &Actor,
        id: CustomerId,
    ) -> Result<Option<CustomerView>, StoreError> {
        // A merged-away record is no customer any more: callers redirect with `merge_target`.
        const SQL: &str = concat!(
            customer_select!(),
            "where c.id = $3 and c.merged_into is null and ",
            read_filter!()
        );
        let row = on_db!(&self.db, |p| sqlx::query_as::<_, CustomerRow>(SQL)
            .bind(actor.user_id.0)
            .bind(scope_pattern(actor))
            .bind(id.0)
            .fetch_optional(p)
            .await)?;
        let Some(row) = row else { return Ok(None) };
        let view = view_of(row)?;
        let vis = visibility(actor, view.facts());
        // The SQL filter and the policy state one rule twice; if they ever disagree, the
        // stricter answer wins.
        Ok(vis.can_read().then_some(CustomerView {
            visibility: vis,
            ..view
        }))
    }

    /// The contacts of a customer (call after `customer_for`).
    pub async fn contacts(&self, id: CustomerId) -> Result<Vec<Contact>, StoreError> {
        let rows: Vec<ContactRow> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "select id, name, phone, phone_ext, title from contacts where customer_id = $1 order by id"
        )
        .bind(id.0)
        .fetch_all(p)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, name, phone, ext, title)| Contact {
                id: ContactId(id),
                name,
                phone: phone.map(|p| Phone::from_stored(p, ext)),
                title,
            })
            .collect())
    }

    /// Grants `user` read or write access to a customer (协作人).
    pub async fn add_collaborator(
        &self,
        customer: CustomerId,
        user: UserId,
        access: CollaboratorAccess,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let code = match access {
            CollaboratorAccess::Read => "read",
            CollaboratorAccess::Write => "write",
        };
        on_db!(&self.db, |p| {
            sqlx::query(
            "insert into collaborators (customer_id, user_id, access, granted_by, granted_at) values ($1, $2, $3, $4, $5) \
             on conflict (customer_id, user_id) do update set access = excluded.access"
        )
        .bind(customer.0)
        .bind(user.0)
        .bind(code)
        .bind(by.0)
        .bind(micros(now))
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}

/// Builds the view of a row; visibility is filled in by the caller's policy check.
pub(crate) fn view_of(mut row: CustomerRow) -> Result<CustomerView, StoreError> {
    let collaborator = collaborator_access(row.collab.take().as_deref());
    let place = crate::pools::Place::of_row(&mut row);
    Ok(CustomerView {
        customer: Customer::try_from(row)?,
        visibility: Visibility::Hidden,
        collaborator,
        place,
    })
}
