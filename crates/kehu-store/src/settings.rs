//! Admin-configured rules, one JSON value a name, with every change in the audit log.

use crate::Store;
use crate::db::Tx;
use crate::db::query::Query;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use serde::Serialize;
use serde::de::DeserializeOwned;

impl Store {
    /// The setting `name`, or `T::default()` when never set. A stored value that no longer
    /// parses is an error, not a silent default: rules must never quietly change.
    pub async fn setting<T: DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> Result<T, StoreError> {
        // On a direct reader where there is one: rules are read on hot paths (the duplicate
        // check's protection dates, intake), and a point read there is no hand-off.
        let q = Query::new("select value from settings where name = $1").bind(name.to_owned());
        let raw: Option<(String,)> = self.read_opt(&q).await?;
        let raw = raw.map(|(v,)| v);
        parse(name, raw)
    }

    /// Stores the setting `name` and records the change (old and new JSON) in the audit log.
    pub async fn put_setting<T: Serialize>(
        &self,
        actor: &Actor,
        name: &str,
        value: &T,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        write_setting(&mut tx, actor, name, &json, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The setting `name` as `T`, read in the caller's transaction (`T::default()` when never
/// set): for a write that must see the setting it is ordered with.
pub(crate) async fn setting_in<T: DeserializeOwned + Default>(
    tx: &mut Tx,
    name: &str,
) -> Result<T, StoreError> {
    parse(name, raw_in(tx, name).await?)
}

async fn raw_in(tx: &mut Tx, name: &str) -> Result<Option<String>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select value from settings where name = $1"
    )
    .bind(name)
    .fetch_optional(&mut *c)
    .await?))
}

/// Stores `json` as the setting `name` in the caller's transaction, with the change (old and
/// new JSON) in the audit log.
pub(crate) async fn write_setting(
    tx: &mut Tx,
    actor: &Actor,
    name: &str,
    json: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = micros(now);
    let old = raw_in(tx, name).await?;
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into settings (name, value, updated_by, updated_at) values ($1, $2, $3, $4) \
             on conflict (name) do update set value = excluded.value, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(json)
        .bind(actor.user_id.0)
        .bind(now)
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "insert into audit_log (at, actor_id, entity, entity_id, field, old_value, new_value) \
             values ($1, $2, 'setting', 0, $3, $4, $5)",
        )
        .bind(now)
        .bind(actor.user_id.0)
        .bind(name)
        .bind(old)
        .bind(json)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// A setting's stored JSON as `T`, `T::default()` when never set.
pub(crate) fn parse<T: DeserializeOwned + Default>(
    name: &str,
    raw: Option<String>,
) -> Result<T, StoreError> {
    match raw {
        None => Ok(T::default()),
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| StoreError::Corrupt(format!("setting {name}: {e}"))),
    }
}
