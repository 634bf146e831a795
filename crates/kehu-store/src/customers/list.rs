//! Customer lists: one index range per scope, newest first, keyset-paged.

use super::{CustomerView, view_of};
use crate::Store;
use crate::error::StoreError;
use crate::rows::{CustomerRow, customer_select};
use crate::users::scope_pattern;
use kehu_domain::Actor;
use kehu_domain::access::visibility;
use kehu_domain::customer::search::search_pattern;
use kehu_domain::text::escape_like;

/// Which customers a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Owned by the actor (私海).
    Mine,
    /// Owned by anyone in the actor's managed subtree (managers; admins: all owned).
    Team,
    /// Unowned (公海).
    Pool,
    /// Shared with the actor as collaborator.
    Shared,
}

/// A page request.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Which customers.
    pub scope: Scope,
    /// Search by customer or contact name, also in pinyin or initials (`zw` finds 张伟).
    pub q: Option<String>,
    /// Keyset cursor: only ids below this.
    pub before: Option<i64>,
    /// Page size, at most 200.
    pub limit: i64,
}

// Records merged into another never show in a list: their id only redirects.
const TAIL: &str = " and c.merged_into is null and c.id < $2 and c.search_text like $3 escape '\\' order by c.id desc limit $4";
const MINE: &str = concat!(customer_select!(), "where c.owner_id = $1");
// Only pools open to the actor (the read filter's pool rule).
const POOL: &str = concat!(
    customer_select!(),
    "where c.owner_id is null and ",
    crate::rows::pool_open!("c.pool_id")
);
const ONE_POOL: &str = concat!(
    customer_select!(),
    "where c.owner_id is null and c.pool_id = $5 and ",
    crate::rows::pool_open!("c.pool_id")
);
const SHARED: &str = concat!(
    customer_select!(),
    "where exists (select 1 from collaborators k where k.customer_id = c.id and k.user_id = $1)"
);
// The scope pattern is the manager's subtree (`%` for admins, nothing for reps), which is
// inside what the actor may read by the same rule.
const TEAM: &str = concat!(
    customer_select!(),
    "where c.owner_id is not null and ot.path like $5"
);

impl Store {
    /// One page of customers in `query.scope` that `actor` may read, newest first.
    pub async fn list_customers(
        &self,
        actor: &Actor,
        query: &ListQuery,
    ) -> Result<Vec<CustomerView>, StoreError> {
        self.list_in(actor, query, None).await
    }

    /// One page of the customers of pool `pool` (if open to `actor`), newest first.
    pub async fn list_pool(
        &self,
        actor: &Actor,
        pool: i64,
        query: &ListQuery,
    ) -> Result<Vec<CustomerView>, StoreError> {
        let query = ListQuery {
            scope: Scope::Pool,
            ..query.clone()
        };
        self.list_in(actor, &query, Some(pool)).await
    }

    async fn list_in(
        &self,
        actor: &Actor,
        query: &ListQuery,
        pool: Option<i64>,
    ) -> Result<Vec<CustomerView>, StoreError> {
        let (head, team) = match (query.scope, pool) {
            (Scope::Mine, _) => (MINE, false),
            (Scope::Pool, None) => (POOL, false),
            (Scope::Pool, Some(_)) => (ONE_POOL, false),
            (Scope::Shared, _) => (SHARED, false),
            (Scope::Team, _) => (TEAM, true),
        };
        let sql = format!("{head}{TAIL}");
        let like = match query.q.as_deref().map(search_pattern) {
            Some(q) if !q.is_empty() => format!("%{}%", escape_like(&q)),
            _ => "%".to_owned(),
        };
        let before = query.before.unwrap_or(i64::MAX);
        let limit = query.limit.clamp(1, 200);
        let pattern = scope_pattern(actor);
        let rows: Vec<CustomerRow> = on_db!(&self.db, |p| {
            // `head` and `TAIL` are constants; the assembled text holds no user input.
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(actor.user_id.0)
                .bind(before)
                .bind(&like)
                .bind(limit);
            if team {
                q = q.bind(&pattern);
            } else if let Some(pool) = pool {
                q = q.bind(pool);
            }
            q.fetch_all(p).await
        })?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut view = view_of(row)?;
            view.visibility = visibility(actor, view.facts());
            if view.visibility.can_read() {
                out.push(view);
            }
        }
        Ok(out)
    }
}
