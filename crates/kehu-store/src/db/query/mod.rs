//! One statement, written once, run on any of the store's three drivers: sqlx's SQLite and
//! PostgreSQL, and the direct SQLite connections of [`super::direct`].
//!
//! The hot paths whose statements run on the direct writer (a lead's intake and routing)
//! are also the paths PostgreSQL and SQLite in memory run through sqlx. Written with
//! sqlx's builders they would need a second copy for rusqlite; written as a [`Query`] (the
//! text with `$n` placeholders, and its parameters as values) and read back as a
//! [`Record`], one function serves all three. A [`super::Tx`] on the direct writer answers
//! without ever yielding, so an async function's `.await`s on it never hand the write lock
//! to another task.

mod decode;
mod run;

pub(crate) use decode::Record;

use chrono::{DateTime, Utc};
use rusqlite::ToSql;
use rusqlite::types::ToSqlOutput;
use std::borrow::Cow;
use std::fmt::Display;

/// One bound parameter. Each kind keeps its type when null, as PostgreSQL needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    /// `bigint` / `integer`.
    I64(Option<i64>),
    /// `double precision` / `real`.
    F64(Option<f64>),
    /// `text`.
    Text(Option<String>),
    /// `boolean` (an integer on SQLite).
    Bool(Option<bool>),
    /// `timestamptz` (RFC 3339 text on SQLite, as sqlx writes it).
    Time(Option<DateTime<Utc>>),
}

/// A statement's text with `$1`, `$2`, … placeholders, and its parameters in that order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    sql: Cow<'static, str>,
    params: Vec<Param>,
    /// The text names `$1`, `$2`, … first in that order, so SQLite's index of each is its
    /// number and binding needs no lookup of names (which SQLite makes a linear search).
    out_of_order: bool,
}

impl Query {
    /// A statement whose text numbers its placeholders itself.
    pub(crate) fn new(sql: impl Into<Cow<'static, str>>) -> Query {
        let sql = sql.into();
        Query {
            out_of_order: !in_order(&sql),
            sql,
            params: Vec::new(),
        }
    }

    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, value: impl Into<Param>) -> Query {
        self.params.push(value.into());
        self
    }

    /// Appends text (never user input: it is not escaped). Placeholders belong in
    /// [`Query::push_bind`]; text naming its own is bound by name.
    pub(crate) fn push(&mut self, sql: impl Display) -> &mut Query {
        let at = self.sql.len();
        self.write(sql);
        self.out_of_order |= self.sql[at..].contains('$');
        self
    }

    /// Appends a placeholder for `value`, numbered after the ones bound so far.
    pub(crate) fn push_bind(&mut self, value: impl Into<Param>) -> &mut Query {
        self.params.push(value.into());
        let n = self.params.len();
        self.write(format_args!("${n}"));
        self
    }

    fn write(&mut self, sql: impl Display) {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = write!(self.sql.to_mut(), "{sql}");
    }

    /// Appends `$a, $b, …`, one placeholder per value (an empty list appends nothing).
    pub(crate) fn push_list<P: Into<Param>>(
        &mut self,
        values: impl IntoIterator<Item = P>,
    ) -> &mut Query {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(v);
        }
        self
    }

    /// Appends `($a, $b, …), (…)`: one parenthesised row of placeholders per row.
    pub(crate) fn push_rows<R, P>(
        &mut self,
        rows: impl IntoIterator<Item = R>,
        row: impl Fn(R) -> Vec<P>,
    ) -> &mut Query
    where
        P: Into<Param>,
    {
        for (i, r) in rows.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            self.push_list(row(r)).push(")");
        }
        self
    }
}

/// Whether every `$N` of `sql` first appears after `$1` … `$N-1` (placeholders inside string
/// literals count too: a false "out of order" only costs the lookup by name).
fn in_order(sql: &str) -> bool {
    let mut seen = 0usize;
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if let Ok(n) = rest[..digits].parse::<usize>() {
            if n > seen + 1 {
                return false;
            }
            seen = seen.max(n);
        }
    }
    true
}

macro_rules! param_from {
    ($variant:ident: $($t:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl From<$t> for Param {
            fn from($v: $t) -> Param {
                Param::$variant($e)
            }
        }
    )*};
}

param_from!(I64: i64 => |v| Some(v), Option<i64> => |v| v, u32 => |v| Some(i64::from(v)),
    i32 => |v| Some(i64::from(v)),
    usize => |v| Some(i64::try_from(v).unwrap_or(i64::MAX)),
    Option<usize> => |v| v.map(|v| i64::try_from(v).unwrap_or(i64::MAX)));
param_from!(F64: f64 => |v| Some(v), Option<f64> => |v| v);
param_from!(Text: String => |v| Some(v), Option<String> => |v| v, &str => |v| Some(v.to_owned()),
    &String => |v| Some(v.clone()), Option<&str> => |v| v.map(str::to_owned),
    &Option<String> => |v| v.clone(), Option<&String> => |v| v.cloned());
param_from!(Bool: bool => |v| Some(v), Option<bool> => |v| v);
param_from!(Time: DateTime<Utc> => |v| Some(v), Option<DateTime<Utc>> => |v| v);

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Param::I64(v) => v.to_sql(),
            Param::F64(v) => v.to_sql(),
            Param::Text(v) => v.to_sql(),
            Param::Bool(v) => v.to_sql(),
            Param::Time(Some(t)) => Ok(ToSqlOutput::from(super::direct::Ts::text(*t))),
            Param::Time(None) => Ok(ToSqlOutput::from(rusqlite::types::Null)),
        }
    }
}

#[cfg(test)]
mod tests;
