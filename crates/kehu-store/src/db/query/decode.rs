//! Reading a row back on any driver: a [`Col`] is one column's value, a [`Record`] a row
//! of them (a tuple, or one value alone).

use crate::db::direct::Ts;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

/// A column value every driver can decode.
pub(crate) trait Col: Sized {
    /// From sqlx's SQLite row.
    fn sqlite(row: &SqliteRow, i: usize) -> Result<Self, sqlx::Error>;
    /// From sqlx's PostgreSQL row.
    fn pg(row: &PgRow, i: usize) -> Result<Self, sqlx::Error>;
    /// From a direct connection's row.
    fn direct(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self>;
}

macro_rules! col {
    ($($t:ty),*) => {$(
        impl Col for $t {
            fn sqlite(row: &SqliteRow, i: usize) -> Result<Self, sqlx::Error> {
                row.try_get(i)
            }
            fn pg(row: &PgRow, i: usize) -> Result<Self, sqlx::Error> {
                row.try_get(i)
            }
            fn direct(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
                row.get(i)
            }
        }
    )*};
}

col!(
    i64,
    Option<i64>,
    i32,
    Option<i32>,
    String,
    Option<String>,
    bool,
    Option<bool>,
    f64,
    Option<f64>
);

impl Col for DateTime<Utc> {
    fn sqlite(row: &SqliteRow, i: usize) -> Result<Self, sqlx::Error> {
        row.try_get(i)
    }
    fn pg(row: &PgRow, i: usize) -> Result<Self, sqlx::Error> {
        row.try_get(i)
    }
    fn direct(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get::<_, Ts>(i).map(|t| t.0)
    }
}

impl Col for Option<DateTime<Utc>> {
    fn sqlite(row: &SqliteRow, i: usize) -> Result<Self, sqlx::Error> {
        row.try_get(i)
    }
    fn pg(row: &PgRow, i: usize) -> Result<Self, sqlx::Error> {
        row.try_get(i)
    }
    fn direct(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get::<_, Option<Ts>>(i).map(|t| t.map(|t| t.0))
    }
}

/// A row every driver can decode: a tuple of [`Col`]s, the columns in order.
pub(crate) trait Record: Sized {
    /// From sqlx's SQLite row.
    fn sqlite(row: &SqliteRow) -> Result<Self, sqlx::Error>;
    /// From sqlx's PostgreSQL row.
    fn pg(row: &PgRow) -> Result<Self, sqlx::Error>;
    /// From a direct connection's row.
    fn direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

macro_rules! record {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Col),+> Record for ($($t,)+) {
            fn sqlite(row: &SqliteRow) -> Result<Self, sqlx::Error> {
                Ok(($($t::sqlite(row, $i)?,)+))
            }
            fn pg(row: &PgRow) -> Result<Self, sqlx::Error> {
                Ok(($($t::pg(row, $i)?,)+))
            }
            fn direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(($($t::direct(row, $i)?,)+))
            }
        }
    };
}

record!(A 0);
record!(A 0, B 1);
record!(A 0, B 1, C 2);
record!(A 0, B 1, C 2, D 3);
record!(A 0, B 1, C 2, D 3, E 4);
record!(A 0, B 1, C 2, D 3, E 4, F 5);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15);
record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15, Q 16);
record!(
    A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15, Q 16,
    R 17
);
