//! A rep's routing profile as stored: the places they cover (`rep_territories`), the
//! industries they serve (`rep_skills`) and their working hours (`rep_hours`), set one rep at
//! a time and read for all candidates at once inside the routing transaction.

use super::facts::push_ids;
use crate::Store;
use crate::db::Tx;
use crate::db::query::Query;
use crate::error::StoreError;
use kehu_domain::ids::UserId;
use kehu_domain::routing::WorkingHours;
use std::collections::HashMap;

/// A per-rep list table: its name and the column of its values.
#[derive(Clone, Copy)]
struct ListTable {
    table: &'static str,
    column: &'static str,
}

const TERRITORIES: ListTable = ListTable {
    table: "rep_territories",
    column: "place",
};
const SKILLS: ListTable = ListTable {
    table: "rep_skills",
    column: "industry",
};

/// The places each of `users` covers, sorted.
pub(super) async fn territories(
    tx: &mut Tx,
    users: &[UserId],
) -> Result<HashMap<i64, Vec<String>>, StoreError> {
    lists_of(tx, TERRITORIES, users).await
}

/// The industries each of `users` serves, sorted.
pub(super) async fn skills(
    tx: &mut Tx,
    users: &[UserId],
) -> Result<HashMap<i64, Vec<String>>, StoreError> {
    lists_of(tx, SKILLS, users).await
}

async fn lists_of(
    tx: &mut Tx,
    list: ListTable,
    users: &[UserId],
) -> Result<HashMap<i64, Vec<String>>, StoreError> {
    let ListTable { table, column } = list;
    let mut q = Query::new(format!(
        "select user_id, {column} from {table} where user_id in ("
    ));
    push_ids(&mut q, users);
    q.push(format_args!(" order by user_id, {column}"));
    let rows: Vec<(i64, String)> = tx.all(&q).await?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (user, value) in rows {
        out.entry(user).or_default().push(value);
    }
    Ok(out)
}

/// Working hours as stored (JSON).
pub(super) fn parse_hours(raw: &str) -> Result<WorkingHours, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// `user`'s working hours, if set.
    pub async fn working_hours(&self, user: UserId) -> Result<Option<WorkingHours>, StoreError> {
        let raw: Option<String> = on_db!(&self.db, |p| sqlx::query_scalar(
            "select hours from rep_hours where user_id = $1"
        )
        .bind(user.0)
        .fetch_optional(p)
        .await)?;
        raw.as_deref().map(parse_hours).transpose()
    }

    /// Sets (validated by the caller) or, with `None`, removes `user`'s working hours.
    pub async fn set_working_hours(
        &self,
        user: UserId,
        hours: Option<&WorkingHours>,
    ) -> Result<(), StoreError> {
        let json = hours
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        // One statement either way: an upsert, or a delete.
        match json {
            Some(json) => on_db!(&self.db, |p| sqlx::query(
                "insert into rep_hours (user_id, hours) values ($1, $2) \
                 on conflict (user_id) do update set hours = excluded.hours"
            )
            .bind(user.0)
            .bind(&json)
            .execute(p)
            .await
            .map(|_| ()))?,
            None => on_db!(&self.db, |p| sqlx::query(
                "delete from rep_hours where user_id = $1"
            )
            .bind(user.0)
            .execute(p)
            .await
            .map(|_| ()))?,
        }
        Ok(())
    }

    /// The places `user` covers, sorted.
    pub async fn territory(&self, user: UserId) -> Result<Vec<String>, StoreError> {
        self.list(TERRITORIES, user).await
    }

    /// Replaces the places `user` covers (validated by the caller).
    pub async fn set_territory(&self, user: UserId, places: &[String]) -> Result<(), StoreError> {
        self.set_list(TERRITORIES, user, places).await
    }

    /// The industries `user` serves, sorted.
    pub async fn skills(&self, user: UserId) -> Result<Vec<String>, StoreError> {
        self.list(SKILLS, user).await
    }

    /// Replaces the industries `user` serves (validated by the caller).
    pub async fn set_skills(&self, user: UserId, industries: &[String]) -> Result<(), StoreError> {
        self.set_list(SKILLS, user, industries).await
    }

    async fn list(&self, list: ListTable, user: UserId) -> Result<Vec<String>, StoreError> {
        let ListTable { table, column } = list;
        let sql = sqlx::AssertSqlSafe(format!(
            "select {column} from {table} where user_id = $1 order by {column}"
        ));
        Ok(on_db!(&self.db, |p| sqlx::query_scalar(sql)
            .bind(user.0)
            .fetch_all(p)
            .await)?)
    }

    /// Deletes `user`'s rows of `list` and inserts `values`, in one transaction.
    async fn set_list(
        &self,
        list: ListTable,
        user: UserId,
        values: &[String],
    ) -> Result<(), StoreError> {
        let ListTable { table, column } = list;
        let delete = format!("delete from {table} where user_id = $1");
        let insert = format!(
            "insert into {table} (user_id, {column}) values ($1, $2) on conflict do nothing"
        );
        crate::db::with_retry(|| async {
            let mut tx = self.begin_write().await?;
            on_tx!(&mut tx, |c| sqlx::query(sqlx::AssertSqlSafe(
                delete.clone()
            ))
            .bind(user.0)
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
            for value in values {
                on_tx!(&mut tx, |c| sqlx::query(sqlx::AssertSqlSafe(
                    insert.clone()
                ))
                .bind(user.0)
                .bind(value)
                .execute(&mut *c)
                .await
                .map(|_| ()))?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}
