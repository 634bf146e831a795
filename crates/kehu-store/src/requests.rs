//! Access requests: "add me as collaborator" and appeals, recorded for the owner to see.

use crate::Store;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use serde::Serialize;

/// What a rep asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// To be added as a collaborator (协作).
    Collaboration,
    /// To have the ownership reviewed (申诉).
    Appeal,
}

impl RequestKind {
    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            RequestKind::Collaboration => "collaboration",
            RequestKind::Appeal => "appeal",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<RequestKind> {
        [RequestKind::Collaboration, RequestKind::Appeal]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// An open request, as the owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct OpenRequest {
    /// Id.
    pub id: i64,
    /// `collaboration` or `appeal`.
    pub kind: String,
    /// Who asks.
    pub requester_name: String,
    /// Their words.
    pub note: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Records a request; asking again while one is open changes nothing (idempotent).
    pub async fn record_request(
        &self,
        customer: CustomerId,
        requester: UserId,
        kind: RequestKind,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let inserted = on_db!(&self.db, |p| {
            sqlx::query(
            "insert into access_requests (customer_id, requester_id, kind, note, created_at) values ($1, $2, $3, $4, $5)"
        )
        .bind(customer.0)
        .bind(requester.0)
        .bind(kind.code())
        .bind(note)
        .bind(micros(now))
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        });
        match inserted.map_err(StoreError::unique_as("request")) {
            Ok(_) | Err(StoreError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Open requests on a customer, oldest first (call after `customer_for`).
    pub async fn open_requests(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<OpenRequest>, StoreError> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as::<_, OpenRequest>(
            "select r.id, r.kind, u.name as requester_name, r.note, r.created_at from access_requests r \
             join users u on u.id = r.requester_id where r.customer_id = $1 and r.status = 'open' order by r.id"
        )
        .bind(customer.0)
        .fetch_all(p)
        .await
        })?)
    }
}
