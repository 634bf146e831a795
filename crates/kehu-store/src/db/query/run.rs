//! Running a [`Query`] on an open transaction of any driver, or as a point read on the
//! store (on the direct readers where the store has them).

use super::{Param, Query, Record};
use crate::Store;
use crate::db::direct::DirectError;
use crate::db::{Db, Tx};
use crate::error::StoreError;
use rusqlite::{CachedStatement, Connection};

/// The query as sqlx's, its parameters bound in order (one macro: the two engines' types).
macro_rules! sqlx_query {
    ($q:expr) => {{
        let mut x = sqlx::query(sqlx::AssertSqlSafe($q.sql.clone()));
        for p in &$q.params {
            x = match p {
                Param::I64(v) => x.bind(*v),
                Param::F64(v) => x.bind(*v),
                Param::Text(v) => x.bind(v.clone()),
                Param::Bool(v) => x.bind(*v),
                Param::Time(v) => x.bind(*v),
            };
        }
        x
    }};
}

impl Tx {
    /// Every row.
    pub(crate) async fn all<R: Record>(&mut self, q: &Query) -> Result<Vec<R>, StoreError> {
        Ok(match self {
            Tx::Sqlite(t, _) => rows(&sqlx_query!(q).fetch_all(&mut **t).await?, R::sqlite)?,
            Tx::Postgres(t) => rows(&sqlx_query!(q).fetch_all(&mut **t).await?, R::pg)?,
            Tx::Direct(t) => all(t.conn()?, q)?,
        })
    }

    /// The first row, if any.
    pub(crate) async fn opt<R: Record>(&mut self, q: &Query) -> Result<Option<R>, StoreError> {
        Ok(match self {
            Tx::Sqlite(t, _) => row(
                sqlx_query!(q).fetch_optional(&mut **t).await?.as_ref(),
                R::sqlite,
            )?,
            Tx::Postgres(t) => row(
                sqlx_query!(q).fetch_optional(&mut **t).await?.as_ref(),
                R::pg,
            )?,
            Tx::Direct(t) => opt(t.conn()?, q)?,
        })
    }

    /// The first row; [`StoreError::NotFound`] without one.
    pub(crate) async fn one<R: Record>(&mut self, q: &Query) -> Result<R, StoreError> {
        self.opt(q).await?.ok_or(StoreError::NotFound)
    }

    /// Runs a statement: the rows it changed.
    pub(crate) async fn run(&mut self, q: &Query) -> Result<u64, StoreError> {
        Ok(match self {
            Tx::Sqlite(t, _) => sqlx_query!(q).execute(&mut **t).await?.rows_affected(),
            Tx::Postgres(t) => sqlx_query!(q).execute(&mut **t).await?.rows_affected(),
            Tx::Direct(t) => run(t.conn()?, q)?,
        })
    }
}

impl Store {
    /// The first row of a point read (a few index lookups): on a direct reader, on this
    /// thread, where the store has them, else through the pool.
    pub(crate) async fn read_opt<R: Record>(&self, q: &Query) -> Result<Option<R>, StoreError> {
        if let Some(direct) = self.readers.read_with(|c| opt(c, q)) {
            return direct;
        }
        Ok(match &self.db {
            Db::Sqlite(p) => row(sqlx_query!(q).fetch_optional(p).await?.as_ref(), R::sqlite)?,
            Db::Postgres(p) => row(sqlx_query!(q).fetch_optional(p).await?.as_ref(), R::pg)?,
        })
    }

    /// Every row of a point read, as [`Store::read_opt`] runs it.
    pub(crate) async fn read_all<R: Record>(&self, q: &Query) -> Result<Vec<R>, StoreError> {
        if let Some(direct) = self.readers.read_with(|c| all(c, q)) {
            return direct;
        }
        Ok(match &self.db {
            Db::Sqlite(p) => rows(&sqlx_query!(q).fetch_all(p).await?, R::sqlite)?,
            Db::Postgres(p) => rows(&sqlx_query!(q).fetch_all(p).await?, R::pg)?,
        })
    }
}

fn rows<T, R>(
    raw: &[T],
    decode: impl Fn(&T) -> Result<R, sqlx::Error>,
) -> Result<Vec<R>, sqlx::Error> {
    raw.iter().map(decode).collect()
}

fn row<T, R>(
    raw: Option<&T>,
    decode: impl Fn(&T) -> Result<R, sqlx::Error>,
) -> Result<Option<R>, sqlx::Error> {
    raw.map(decode).transpose()
}

/// The statement, prepared once per connection, with `q`'s parameters bound: `$n` takes the
/// n-th whatever the order the text names them in, as sqlx binds them.
fn prepared<'c>(conn: &'c Connection, q: &Query) -> Result<CachedStatement<'c>, StoreError> {
    let mut stmt = conn.prepare_cached(&q.sql).map_err(DirectError::wrap)?;
    let count = stmt.parameter_count();
    let unbound = || {
        DirectError::wrap(rusqlite::Error::InvalidParameterCount(
            q.params.len(),
            count,
        ))
    };
    for i in 1..=count {
        let n = if q.out_of_order {
            stmt.parameter_name(i)
                .and_then(|name| name.strip_prefix('$'))
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(i)
        } else {
            i
        };
        let value = q.params.get(n - 1).ok_or_else(unbound)?;
        stmt.raw_bind_parameter(i, value)
            .map_err(DirectError::wrap)?;
    }
    Ok(stmt)
}

fn all<R: Record>(conn: &Connection, q: &Query) -> Result<Vec<R>, StoreError> {
    let mut stmt = prepared(conn, q)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(DirectError::wrap)? {
        out.push(R::direct(r).map_err(DirectError::wrap)?);
    }
    Ok(out)
}

fn opt<R: Record>(conn: &Connection, q: &Query) -> Result<Option<R>, StoreError> {
    let mut stmt = prepared(conn, q)?;
    let mut rows = stmt.raw_query();
    match rows.next().map_err(DirectError::wrap)? {
        Some(r) => Ok(Some(R::direct(r).map_err(DirectError::wrap)?)),
        None => Ok(None),
    }
}

fn run(conn: &Connection, q: &Query) -> Result<u64, StoreError> {
    let mut stmt = prepared(conn, q)?;
    let n = stmt.raw_execute().map_err(DirectError::wrap)?;
    Ok(n as u64)
}
