//! The availability feed's state and its leave. A good push replaces the feed's leave from
//! the backdating limit on (older feed leave stays: it paused recycle clocks that ran) and
//! marks the feed healthy, in one transaction; a failing push writes no leave and only
//! records when the failures began and what they were.

use crate::Store;
use crate::db::query::Query;
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::notifications::{NewNotification, NotificationKind, add_in};
use crate::rows::micros;
use chrono::{DateTime, Duration, Utc};
use kehu_domain::Actor;
use kehu_domain::availability::FeedStatus;
use kehu_domain::ids::UserId;
use kehu_domain::pool::{MAX_BACKDATE_DAYS, NewLeave};
use std::collections::BTreeMap;

/// The feed's state as the status endpoint shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedState {
    /// What health is computed from.
    pub status: FeedStatus,
    /// Records in the last good push.
    pub records: i64,
    /// The failing pushes' field errors, JSON.
    pub last_error: Option<String>,
}

type StateRow = (
    Option<DateTime<Utc>>,
    i64,
    Option<DateTime<Utc>>,
    Option<String>,
);

async fn ensure_row(tx: &mut Tx) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "insert into availability_feed (id, records) values (1, 0) on conflict (id) do nothing"
    )
    .execute(&mut *c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// One notification per active admin, of `kind` with `params`.
async fn tell_admins(
    tx: &mut Tx,
    kind: NotificationKind,
    params: BTreeMap<&'static str, String>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let admins: Vec<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "select id from users where role = 'admin' and active order by id"
    )
    .fetch_all(&mut *c)
    .await)?;
    let notes: Vec<NewNotification> = admins
        .into_iter()
        .map(|u| NewNotification {
            user: UserId(u),
            kind,
            customer: None,
            params: params.clone(),
        })
        .collect();
    add_in(tx, &notes, now).await
}

impl Store {
    /// The feed's state (all empty before the first push).
    pub async fn feed_state(&self) -> Result<FeedState, StoreError> {
        let row: Option<StateRow> = on_db!(&self.db, |p| sqlx::query_as(
            "select last_ok_at, records, failing_since, last_error from availability_feed \
             where id = 1"
        )
        .fetch_optional(p)
        .await)?;
        Ok(row
            .map(
                |(last_ok_at, records, failing_since, last_error)| FeedState {
                    status: FeedStatus {
                        last_ok_at,
                        failing_since,
                    },
                    records,
                    last_error,
                },
            )
            .unwrap_or_default())
    }

    /// The feed's state with the settings `A` and `B` (as [`Store::setting`] reads them) in
    /// one statement: what every routing reads before its transaction.
    pub async fn feed_with_settings<A, B>(
        &self,
        a: &str,
        b: &str,
    ) -> Result<(FeedState, A, B), StoreError>
    where
        A: serde::de::DeserializeOwned + Default,
        B: serde::de::DeserializeOwned + Default,
    {
        type Row = (
            Option<String>,
            Option<String>,
            Option<DateTime<Utc>>,
            Option<i64>,
            Option<DateTime<Utc>>,
            Option<String>,
        );
        let q = Query::new(
            "select (select value from settings where name = $1), \
             (select value from settings where name = $2), \
             f.last_ok_at, f.records, f.failing_since, f.last_error \
             from (select 1 as one) d left join availability_feed f on f.id = 1",
        )
        .bind(a)
        .bind(b);
        // On every routed lead: a point read on a direct reader.
        let (va, vb, last_ok_at, records, failing_since, last_error): Row =
            self.read_opt(&q).await?.ok_or(StoreError::NotFound)?;
        let feed = FeedState {
            status: FeedStatus {
                last_ok_at,
                failing_since,
            },
            records: records.unwrap_or(0),
            last_error,
        };
        Ok((
            feed,
            crate::settings::parse(a, va)?,
            crate::settings::parse(b, vb)?,
        ))
    }

    /// Accepts a push: the feed's leave from `now − MAX_BACKDATE_DAYS` on is replaced by
    /// `leave`, the feed is healthy again. Recorded by `by`.
    pub async fn replace_feed_leave(
        &self,
        leave: &[(UserId, NewLeave)],
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = micros(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            on_tx!(&mut tx, |c| sqlx::query(
                "delete from leaves where source = 'feed' and ends_at > $1"
            )
            .bind(now - Duration::days(MAX_BACKDATE_DAYS))
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
            for (user, l) in leave {
                on_tx!(&mut tx, |c| sqlx::query(
                    "insert into leaves (user_id, starts_at, ends_at, note, source, recorded_by, \
                     recorded_at) values ($1, $2, $3, $4, 'feed', $5, $6)"
                )
                .bind(user.0)
                .bind(micros(l.span.from))
                .bind(micros(l.span.until))
                .bind(&l.note)
                .bind(by.user_id.0)
                .bind(now)
                .execute(&mut *c)
                .await
                .map(|_| ()))?;
            }
            ensure_row(&mut tx).await?;
            on_tx!(&mut tx, |c| sqlx::query(
                "update availability_feed set last_ok_at = $1, records = $2, \
                 failing_since = null, last_error = null where id = 1"
            )
            .bind(now)
            .bind(leave.len() as i64)
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Records a refused push and its errors (JSON). The first failure after a good push
    /// tells every admin (`first_error` names the field); later ones only update the errors.
    /// Answers whether the admins were told.
    pub async fn record_feed_failure(
        &self,
        errors: &str,
        first_error: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = micros(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            ensure_row(&mut tx).await?;
            // Only the push that starts the failing period sets it, so one alert per period.
            let started = on_tx!(&mut tx, |c| sqlx::query(
                "update availability_feed set failing_since = $1 where id = 1 \
                 and failing_since is null"
            )
            .bind(now)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected() == 1))?;
            on_tx!(&mut tx, |c| sqlx::query(
                "update availability_feed set last_error = $1 where id = 1"
            )
            .bind(errors)
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
            if started {
                let mut params = BTreeMap::new();
                params.insert("error", first_error.to_owned());
                tell_admins(&mut tx, NotificationKind::FeedInvalid, params, now).await?;
            }
            tx.commit().await?;
            Ok(started)
        })
        .await
    }

    /// Tells the admins the feed is stale since `last_ok` (shown as `since`), once per stale
    /// period whichever instance asks first. Answers whether this call told them.
    pub async fn alert_feed_stale(
        &self,
        last_ok: DateTime<Utc>,
        since: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let first = on_tx!(&mut tx, |c| sqlx::query(
                "update availability_feed set stale_alerted_for = $1 where id = 1 \
                 and last_ok_at = $1 and (stale_alerted_for is null or stale_alerted_for <> $1)"
            )
            .bind(micros(last_ok))
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected() == 1))?;
            if first {
                let mut params = BTreeMap::new();
                params.insert("since", since.to_owned());
                tell_admins(&mut tx, NotificationKind::FeedStale, params, now).await?;
            }
            tx.commit().await?;
            Ok(first)
        })
        .await
    }

    /// Active users by login (for mapping a feed's records), `login → id`.
    pub async fn user_ids_by_login(
        &self,
        logins: &[String],
    ) -> Result<BTreeMap<String, UserId>, StoreError> {
        let mut out = BTreeMap::new();
        // Chunked so a large feed stays within every engine's bind limit.
        for chunk in logins.chunks(500) {
            let rows: Vec<(String, i64)> = on_db!(&self.db, |p| {
                let mut q = sqlx::QueryBuilder::new(
                    "select login, id from users where active and login in (",
                );
                let mut sep = q.separated(", ");
                for l in chunk {
                    sep.push_bind(l.as_str());
                }
                q.push(")");
                q.build_query_as().fetch_all(p).await
            })?;
            out.extend(rows.into_iter().map(|(l, id)| (l, UserId(id))));
        }
        Ok(out)
    }
}
