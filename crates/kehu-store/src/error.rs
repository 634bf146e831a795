//! The store's one error type; the server maps it to HTTP once.

/// What went wrong persisting or loading.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row (or not one the actor may read).
    #[error("not found")]
    NotFound,
    /// A unique value is taken (`what` names the field, e.g. `login`).
    #[error("{what} already exists")]
    Conflict {
        /// The field whose value is taken.
        what: &'static str,
    },
    /// A strong identity key (`field`) belongs to another customer already.
    #[error("{field} belongs to customer {existing}")]
    Duplicate {
        /// The input field the key came from.
        field: &'static str,
        /// The customer holding it.
        existing: kehu_domain::ids::CustomerId,
    },
    /// A key kind cannot be made strong: several customers share one of its values.
    #[error("{} values of {} are shared by several customers", .0.values, .0.kind.code())]
    KeyShared(Box<crate::identity::SharedKey>),
    /// The row changed since it was read (compare-and-set lost).
    #[error("changed by someone else")]
    Stale,
    /// A pool rule refuses (claim limit, ownership cap, re-claim ban, lock limit).
    #[error("refused by pool rule: {0:?}")]
    Refused(crate::pools::PoolRefusal),
    /// Retries on serialization failures ran out; try again later.
    #[error("database busy")]
    Busy,
    /// A stored value no longer parses (a bug or a hand-edited row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A statement written for sqlx alone was run on the direct writer: a bug (see
    /// `db::query`), never the user's doing.
    #[error("statement not written for the direct writer")]
    NotDirect,
    /// The database URL is unusable.
    #[error("{0}")]
    Url(String),
    /// Migrations failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Anything else from the driver.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl StoreError {
    /// Maps a unique violation (by kind, which both engines report) to `Conflict { what }`.
    pub(crate) fn unique_as(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |e| match e.as_database_error().map(|d| d.kind()) {
            Some(sqlx::error::ErrorKind::UniqueViolation) => StoreError::Conflict { what },
            _ => StoreError::Db(e),
        }
    }
}
