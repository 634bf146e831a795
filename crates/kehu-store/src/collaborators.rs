//! Collaborators (协作人): granted and removed by the owner or their manager, each change in
//! the audit log and the colleague's inbox, in one transaction; collaboration requests are
//! granted or declined here.

use crate::Store;
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::notifications::{NewNotification, NotificationKind, add_in, customer_name, user_name};
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::access::CollaboratorAccess;
use kehu_domain::ids::{CustomerId, UserId};
use serde::Serialize;
use std::collections::BTreeMap;

/// A collaborator as the customer page shows them.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Collaborator {
    /// The colleague.
    pub user_id: i64,
    /// Their name.
    pub name: String,
    /// `read` or `write`.
    pub access: String,
    /// Who granted it.
    pub granted_by_name: String,
    /// When.
    pub granted_at: DateTime<Utc>,
}

/// Stable code of an access level.
pub fn access_code(access: CollaboratorAccess) -> &'static str {
    match access {
        CollaboratorAccess::Read => "read",
        CollaboratorAccess::Write => "write",
    }
}

fn note(
    user: UserId,
    kind: NotificationKind,
    customer: CustomerId,
    params: BTreeMap<&'static str, String>,
) -> NewNotification {
    NewNotification {
        user,
        kind,
        customer: Some(customer),
        params,
    }
}

impl Store {
    /// Active colleagues who could be added as collaborators (everyone but `except`), by
    /// name: `(id, name)`.
    pub async fn colleagues(&self, except: UserId) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_as(
            "select id, name from users where active and id <> $1 order by name, id limit 1000"
        )
        .bind(except.0)
        .fetch_all(p)
        .await)?)
    }

    /// A customer's collaborators (call after an access check).
    pub async fn collaborators(&self, id: CustomerId) -> Result<Vec<Collaborator>, StoreError> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as::<_, Collaborator>(
            "select k.user_id, u.name, k.access, g.name as granted_by_name, k.granted_at \
             from collaborators k join users u on u.id = k.user_id join users g on g.id = k.granted_by \
             where k.customer_id = $1 order by u.name, k.user_id"
        )
        .bind(id.0)
        .fetch_all(p)
        .await
        })?)
    }

    /// Grants (or changes) `user`'s access (the caller checked `by` may): the grant, an
    /// audit row, the colleague's notification, and their open collaboration request marked
    /// granted, in one transaction.
    pub async fn grant_collaborator(
        &self,
        customer: CustomerId,
        user: UserId,
        access: CollaboratorAccess,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = micros(now);
        let code = access_code(access);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let before: Option<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(
                "select access from collaborators where customer_id = $1 and user_id = $2"
            )
            .bind(customer.0)
            .bind(user.0)
            .fetch_optional(&mut *c)
            .await?);
            if before.as_deref() == Some(code) {
                return tx.commit().await;
            }
            let name = user_name(&mut tx, user).await?;
            on_tx!(&mut tx, |c| {
                sqlx::query(
                    "insert into collaborators (customer_id, user_id, access, granted_by, granted_at) \
                     values ($1, $2, $3, $4, $5) \
                     on conflict (customer_id, user_id) do update set access = excluded.access, \
                     granted_by = excluded.granted_by, granted_at = excluded.granted_at",
                )
                .bind(customer.0)
                .bind(user.0)
                .bind(code)
                .bind(by.user_id.0)
                .bind(now)
                .execute(&mut *c)
                .await?;
                sqlx::query(
                    "update access_requests set status = 'granted', decided_by = $1, decided_at = $2 \
                     where customer_id = $3 and requester_id = $4 and kind = 'collaboration' and status = 'open'",
                )
                .bind(by.user_id.0)
                .bind(now)
                .bind(customer.0)
                .bind(user.0)
                .execute(&mut *c)
                .await?;
            });
            let old = before.as_ref().map(|b| format!("{name}:{b}"));
            audit(&mut tx, customer, by, old, Some(format!("{name}:{code}")), now).await?;
            let mut params = BTreeMap::new();
            params.insert("customer", customer_name(&mut tx, customer).await?);
            params.insert("by", by.name.clone());
            params.insert("access", code.to_owned());
            let n = note(user, NotificationKind::CollaboratorAdded, customer, params);
            add_in(&mut tx, &[n], now).await?;
            tx.commit().await
        })
        .await
    }

    /// Removes `user`'s access, with an audit row and their notification; `NotFound` when
    /// they were no collaborator.
    pub async fn remove_collaborator(
        &self,
        customer: CustomerId,
        user: UserId,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = micros(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let before: Option<String> = on_tx!(&mut tx, |c| {
                sqlx::query_scalar(
                "delete from collaborators where customer_id = $1 and user_id = $2 returning access"
            )
            .bind(customer.0)
            .bind(user.0)
            .fetch_optional(&mut *c)
            .await?
            });
            let Some(before) = before else {
                return Err(StoreError::NotFound);
            };
            let name = user_name(&mut tx, user).await?;
            audit(
                &mut tx,
                customer,
                by,
                Some(format!("{name}:{before}")),
                None,
                now,
            )
            .await?;
            let mut params = BTreeMap::new();
            params.insert("customer", customer_name(&mut tx, customer).await?);
            params.insert("by", by.name.clone());
            let n = note(
                user,
                NotificationKind::CollaboratorRemoved,
                customer,
                params,
            );
            add_in(&mut tx, &[n], now).await?;
            tx.commit().await
        })
        .await
    }

    /// The requester of open collaboration request `id` on `customer`, if there is one.
    pub async fn open_collaboration_request(
        &self,
        customer: CustomerId,
        id: i64,
    ) -> Result<Option<UserId>, StoreError> {
        let r: Option<i64> = on_db!(&self.db, |p| sqlx::query_scalar(
            "select requester_id from access_requests where id = $1 and customer_id = $2 \
             and kind = 'collaboration' and status = 'open'"
        )
        .bind(id)
        .bind(customer.0)
        .fetch_optional(p)
        .await)?;
        Ok(r.map(UserId))
    }

    /// Declines an open collaboration request and tells the requester; `NotFound` when it
    /// is not open (any more).
    pub async fn decline_collaboration_request(
        &self,
        customer: CustomerId,
        id: i64,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = micros(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let requester: Option<i64> = on_tx!(&mut tx, |c| {
                sqlx::query_scalar(
                "update access_requests set status = 'declined', decided_by = $1, decided_at = $2 \
                 where id = $3 and customer_id = $4 and kind = 'collaboration' and status = 'open' \
                 returning requester_id"
            )
            .bind(by.user_id.0)
            .bind(now)
            .bind(id)
            .bind(customer.0)
            .fetch_optional(&mut *c)
            .await?
            });
            let requester = requester.ok_or(StoreError::NotFound)?;
            let mut params = BTreeMap::new();
            params.insert("customer", customer_name(&mut tx, customer).await?);
            params.insert("by", by.name.clone());
            let n = note(
                UserId(requester),
                NotificationKind::RequestDeclined,
                customer,
                params,
            );
            add_in(&mut tx, &[n], now).await?;
            tx.commit().await
        })
        .await
    }
}

/// One audit row for a collaborator change (`name:access` before and after).
async fn audit(
    tx: &mut Tx,
    customer: CustomerId,
    by: &Actor,
    old: Option<String>,
    new: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "insert into audit_log (at, actor_id, entity, entity_id, field, old_value, new_value) \
         values ($1, $2, 'customer', $3, 'collaborator', $4, $5)",
    )
    .bind(now)
    .bind(by.user_id.0)
    .bind(customer.0)
    .bind(&old)
    .bind(&new)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}
