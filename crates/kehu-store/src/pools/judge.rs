//! The recycle judge's reading: every owned customer a pool's rules watch, with the facts
//! `kehu_domain::pool::judge` needs, judged at one instant. The recycle job and the preview
//! ask it the same question.
//!
//! It must stay fast at a million customers, so it reads in three steps:
//! 1. the owners (a few hundred users) with their home pool and recorded leave;
//! 2. the customers themselves, in pages of the primary key, every fact from the customer's own
//!    row (`WatchedRow`, the one place a new fact is added) and judged at once with the
//!    protection period bounded: no shorter than the initial days, no longer than the cap;
//! 3. only for the few customers whose verdict those bounds leave open (recently owned and
//!    due), their effective follow-ups by id, for the exact protection period.

use super::home_pool;
use crate::Store;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Duration, Utc};
use kehu_domain::customer::{Grade, Source};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::OwnershipState;
use kehu_domain::ownership::protection::{ProtectionRules, protection};
use kehu_domain::pool::{DueFilter, Leave, PoolRules, RecycleFacts, RecycleVerdict, judge};
use serde::Serialize;
use std::collections::HashMap;

/// Customers read per statement: bounds memory and, on SQLite, how long one read holds the
/// WAL from a checkpoint.
const PAGE: i64 = 20_000;
/// Ids per follow-up lookup (well under both engines' bind-parameter limits).
const ID_CHUNK: usize = 500;

/// One pool's rules as the judge applies them (saved or a draft being previewed).
#[derive(Debug, Clone, Copy)]
pub struct PoolWatch<'a> {
    /// The pool.
    pub pool: i64,
    /// Its rules.
    pub rules: &'a PoolRules,
    /// Reps exempt from recycling.
    pub whitelist: &'a [i64],
}

/// One owned customer due for recycling or a warning, with the verdict and what acting on it
/// needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judged {
    /// The pool whose rules judged it.
    pub pool_id: i64,
    /// The customer.
    pub customer_id: i64,
    /// Its name.
    pub customer_name: String,
    /// Its owner.
    pub owner_id: i64,
    /// The owner's name.
    pub owner_name: String,
    /// Since when they own it.
    pub owner_since: DateTime<Utc>,
    /// The row's version when judged: a recycle is a compare-and-set on it.
    pub version: i64,
    /// What the rules say at the instant judged (`Recycle` or `Warn`).
    pub verdict: RecycleVerdict,
    /// The activity the verdict rests on: a recycle only lands while it is unchanged.
    pub activity: Activity,
}

/// The columns a follow-up, a deal or a lock changes without bumping the row's version:
/// a recycle re-checks them under its write lock, so an effective follow-up logged while a
/// pass runs keeps the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Activity {
    /// `customers.last_effective_follow_up_at`.
    pub last_effective_follow_up_at: Option<DateTime<Utc>>,
    /// `customers.last_progress_at`.
    pub last_progress_at: Option<DateTime<Utc>>,
    /// `customers.open_deals`.
    pub open_deals: i64,
    /// `customers.locked`.
    pub locked: bool,
}

impl Judged {
    /// The ownership state the verdict was reached on, for the owner change.
    pub fn ownership_state(&self) -> OwnershipState {
        OwnershipState {
            customer_id: CustomerId(self.customer_id),
            owner_id: Some(UserId(self.owner_id)),
            owner_name: Some(self.owner_name.clone()),
            owner_team_path: None,
            owner_since: self.owner_since,
            version: self.version,
        }
    }
}

/// The facts of one watched customer that live on its own row. A new fact for the recycle
/// rules (a deal's state, say) is one more column here and in [`WATCHED`], and one more line
/// in [`WatchedRow::facts`].
#[derive(Debug, Clone, sqlx::FromRow)]
struct WatchedRow {
    id: i64,
    grade: Option<String>,
    source: String,
    owner_id: i64,
    owner_since: DateTime<Utc>,
    last_effective_follow_up_at: Option<DateTime<Utc>>,
    locked: bool,
    version: i64,
    open_deals: i64,
    won_at: Option<DateTime<Utc>>,
    deal_lost_at: Option<DateTime<Utc>>,
    last_progress_at: Option<DateTime<Utc>>,
}

// Owned customers after `$1`, by id: a range of the primary key on both engines, with
// `DueFilter`'s test (`due_filter_sql`) evaluated inside the scan.
// Names are read afterwards for the few judged (see `Store::name_judged`).
const WATCHED: &str = "select c.id, c.grade, c.source, c.owner_id, c.owner_since, \
     c.last_effective_follow_up_at, c.locked, c.version, \
     c.open_deals, c.won_at, c.deal_lost_at, c.last_progress_at \
     from customers c \
     where c.id > ";

/// Pushes [`DueFilter::may_be_due`] as SQL on `c`'s columns; false when no rule can ever
/// make a customer due.
fn due_filter_sql<DB: sqlx::Database>(q: &mut sqlx::QueryBuilder<DB>, f: DueFilter) -> bool
where
    for<'t> DateTime<Utc>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let clocks = [
        (f.follow_up_since, "c.last_effective_follow_up_at"),
        (f.progress_since, "c.last_progress_at"),
    ];
    let mut any = false;
    q.push(" and not c.locked and (");
    for (bound, last) in clocks {
        let Some(bound) = bound else { continue };
        let bound = micros(bound);
        q.push(if any { " or " } else { "" })
            .push("(c.owner_since <= ")
            .push_bind(bound)
            .push(format!(" and ({last} is null or {last} <= "))
            .push_bind(bound)
            .push("))");
        any = true;
    }
    if f.deal_lost {
        q.push(if any { " or " } else { "" })
            .push("(c.deal_lost_at is not null and c.deal_lost_at >= c.owner_since)");
        any = true;
    }
    q.push(")");
    any
}

// Every user with the pool their customers are recycled by (one subquery per user, not per
// customer).
const OWNERS: &str = concat!("select u.id, u.name, ", home_pool!("u.id"), " from users u");

impl WatchedRow {
    fn grade(&self) -> Option<Grade> {
        self.grade.as_deref().and_then(|g| Grade::parse(g).ok())
    }

    /// The facts, with the protection period's end given.
    fn facts(&self, whitelisted: bool, leave: &[Leave], protected: DateTime<Utc>) -> RecycleFacts {
        RecycleFacts {
            owner_since: self.owner_since,
            last_effective_follow_up: self.last_effective_follow_up_at,
            last_progress: self.last_progress_at,
            // A loss under an earlier owner is not this owner's to answer for.
            deal_lost_at: self.deal_lost_at.filter(|t| *t >= self.owner_since),
            won: self.won_at.is_some(),
            open_deal: self.open_deals > 0,
            locked: self.locked,
            whitelisted,
            protected_until: protected,
            leave: leave.to_vec(),
        }
    }
}

/// An owner whose customers are watched: their name and the watch (index) that judges them.
#[derive(Debug, Clone)]
pub(super) struct Owner {
    pub(super) name: String,
    pub(super) watch: usize,
}

/// What the bounds on the protection period settle.
enum Bounded {
    /// Nothing to do, however long the protection.
    Nothing,
    /// This verdict, however long the protection.
    Settled(RecycleVerdict),
    /// It depends: read the follow-ups.
    Open,
}

/// A customer whose verdict depends on its exact protection period.
struct Open {
    row: WatchedRow,
    watch: usize,
}

/// What the judge holds for one pass.
struct Judge<'a> {
    owners: &'a HashMap<i64, Owner>,
    watches: &'a [PoolWatch<'a>],
    protection: &'a ProtectionRules,
    leave: HashMap<i64, Vec<Leave>>,
    at: DateTime<Utc>,
}

impl Judge<'_> {
    fn verdict(&self, row: &WatchedRow, watch: usize, protected: DateTime<Utc>) -> RecycleVerdict {
        let w = &self.watches[watch];
        let leave = self.leave.get(&row.owner_id).map_or(&[][..], Vec::as_slice);
        let facts = row.facts(w.whitelist.contains(&row.owner_id), leave, protected);
        judge(w.rules.recycle_rule(row.grade()), &facts, self.at)
    }

    /// The verdict as far as the protection period's bounds settle it.
    fn bounded(&self, row: &WatchedRow, watch: usize) -> Bounded {
        let source = Source::parse(&row.source).unwrap_or(Source::Other);
        let policy = self.protection.policy(source, row.grade());
        let days = |n: u32| Duration::days(i64::from(n));
        // The shortest protection (no follow-up extended it) and the longest (the cap).
        let shortest = row.owner_since + days(policy.initial_days);
        let longest = row.owner_since + days(policy.cap_days.max(policy.initial_days));
        let v = self.verdict(row, watch, shortest);
        if !actionable(&v) {
            // A longer protection only moves the due time later: still nothing to do.
            Bounded::Nothing
        } else if self.verdict(row, watch, longest) == v {
            // The same verdict and due time at both bounds: the exact length changes nothing.
            Bounded::Settled(v)
        } else {
            Bounded::Open
        }
    }

    fn judged(&self, row: &WatchedRow, watch: usize, verdict: RecycleVerdict) -> Judged {
        Judged {
            pool_id: self.watches[watch].pool,
            customer_id: row.id,
            owner_name: self.owners[&row.owner_id].name.clone(),
            customer_name: String::new(),
            owner_id: row.owner_id,
            owner_since: row.owner_since,
            version: row.version,
            verdict,
            activity: Activity {
                last_effective_follow_up_at: row.last_effective_follow_up_at,
                last_progress_at: row.last_progress_at,
                open_deals: row.open_deals,
                locked: row.locked,
            },
        }
    }
}

fn actionable(v: &RecycleVerdict) -> bool {
    matches!(
        v,
        RecycleVerdict::Recycle { .. } | RecycleVerdict::Warn { .. }
    )
}

impl Store {
    /// The customers pool `pool`'s rules (or a draft of them, with `whitelist`) would recycle
    /// or warn about at `at`: those owned by reps whose home pool it is.
    pub async fn judge_pool(
        &self,
        pool: i64,
        rules: &PoolRules,
        whitelist: &[i64],
        protection_rules: &ProtectionRules,
        at: DateTime<Utc>,
    ) -> Result<Vec<Judged>, StoreError> {
        let watch = PoolWatch {
            pool,
            rules,
            whitelist,
        };
        self.judge_pools(&[watch], protection_rules, at).await
    }

    /// Every pool's verdicts in one pass over the customers: the ones due for recycling or a
    /// warning at `at`, by pool, owner and customer.
    pub async fn judge_pools(
        &self,
        watches: &[PoolWatch<'_>],
        protection_rules: &ProtectionRules,
        at: DateTime<Utc>,
    ) -> Result<Vec<Judged>, StoreError> {
        let homes: Vec<(i64, String, Option<i64>)> =
            on_db!(&self.db, |p| sqlx::query_as(OWNERS).fetch_all(p).await)?;
        let owners: HashMap<i64, Owner> = homes
            .into_iter()
            .filter_map(|(id, name, home)| {
                let watch = watches.iter().position(|w| Some(w.pool) == home)?;
                Some((id, Owner { name, watch }))
            })
            .collect();
        self.judge_owned(&owners, watches, protection_rules, at)
            .await
    }

    /// The customers of `owners`, each judged by its owner's watch.
    pub(super) async fn judge_owned(
        &self,
        owners: &HashMap<i64, Owner>,
        watches: &[PoolWatch<'_>],
        protection_rules: &ProtectionRules,
        at: DateTime<Utc>,
    ) -> Result<Vec<Judged>, StoreError> {
        let ids: Vec<i64> = owners.keys().copied().collect();
        let judge = Judge {
            owners,
            watches,
            protection: protection_rules,
            leave: self.leave_spans(&ids).await?,
            at,
        };
        let mut out = Vec::new();
        let mut open = Vec::new();
        // Customers that cannot be due are skipped inside the scan, not decoded and judged.
        let filter = DueFilter::of(watches.iter().flat_map(|w| w.rules.recycle_rules()), at);
        // The next page is read (and decoded) on another task while this one is judged.
        let mut next = Some(self.watched_page(0, filter));
        while let Some(reading) = next.take() {
            let page = reading
                .await
                .map_err(|e| StoreError::Corrupt(format!("judge: page read failed: {e}")))??;
            let Some(last) = page.last() else { break };
            if page.len() as i64 == PAGE {
                next = Some(self.watched_page(last.id, filter));
            }
            for row in page {
                let Some(owner) = owners.get(&row.owner_id) else {
                    continue;
                };
                match judge.bounded(&row, owner.watch) {
                    Bounded::Settled(v) => out.push(judge.judged(&row, owner.watch, v)),
                    Bounded::Nothing => {}
                    Bounded::Open => open.push(Open {
                        row,
                        watch: owner.watch,
                    }),
                }
            }
        }
        self.judge_open(&judge, open, &mut out).await?;
        self.name_judged(&mut out).await?;
        out.sort_by_key(|j| (j.pool_id, j.owner_id, j.customer_id));
        Ok(out)
    }

    /// Starts reading the owned customers after id `after` that `filter` lets through, one
    /// page, on a task of its own.
    fn watched_page(
        &self,
        after: i64,
        filter: DueFilter,
    ) -> tokio::task::JoinHandle<Result<Vec<WatchedRow>, StoreError>> {
        let store = self.clone();
        tokio::spawn(async move {
            Ok(on_db!(&store.db, |p| {
                let mut q = sqlx::QueryBuilder::new(WATCHED);
                q.push_bind(after)
                    .push(" and c.owner_id is not null and c.merged_into is null");
                if !due_filter_sql(&mut q, filter) {
                    return Ok(Vec::new());
                }
                q.push(" order by c.id limit ").push_bind(PAGE);
                q.build_query_as().fetch_all(p).await
            })?)
        })
    }

    /// Fills in the names of the judged customers: a few percent of the book, read by id
    /// rather than with every row of the pass.
    async fn name_judged(&self, out: &mut [Judged]) -> Result<(), StoreError> {
        for chunk in out.chunks_mut(ID_CHUNK) {
            let names: HashMap<i64, String> = on_db!(&self.db, |p| {
                let mut q = sqlx::QueryBuilder::new("select id, name from customers where id in (");
                let mut list = q.separated(", ");
                for j in chunk.iter() {
                    list.push_bind(j.customer_id);
                }
                q.push(")");
                q.build_query_as::<(i64, String)>().fetch_all(p).await
            })?
            .into_iter()
            .collect();
            for j in chunk.iter_mut() {
                if let Some(n) = names.get(&j.customer_id) {
                    j.customer_name.clone_from(n);
                }
            }
        }
        Ok(())
    }

    /// Judges `open` with their exact protection periods: their effective follow-ups, read
    /// by customer id.
    async fn judge_open(
        &self,
        judge: &Judge<'_>,
        open: Vec<Open>,
        out: &mut Vec<Judged>,
    ) -> Result<(), StoreError> {
        for chunk in open.chunks(ID_CHUNK) {
            let rows: Vec<(i64, DateTime<Utc>)> = on_db!(&self.db, |p| {
                let mut q = sqlx::QueryBuilder::new(
                    "select customer_id, at from follow_ups where effective and customer_id in (",
                );
                let mut list = q.separated(", ");
                for o in chunk {
                    list.push_bind(o.row.id);
                }
                q.push(")");
                q.build_query_as().fetch_all(p).await
            })?;
            let mut times: HashMap<i64, Vec<DateTime<Utc>>> = HashMap::new();
            for (id, t) in rows {
                times.entry(id).or_default().push(t);
            }
            for o in chunk {
                let row = &o.row;
                let source = Source::parse(&row.source).unwrap_or(Source::Other);
                let policy = judge.protection.policy(source, row.grade());
                let mine = times.get(&row.id).map_or(&[][..], Vec::as_slice);
                // Follow-ups before the current owner got it are ignored by `protection`.
                let until = protection(policy, row.owner_since, mine).until;
                let v = judge.verdict(row, o.watch, until);
                if actionable(&v) {
                    out.push(judge.judged(row, o.watch, v));
                }
            }
        }
        Ok(())
    }
}
