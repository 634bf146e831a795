//! Notifications (通知): one row per recipient and event, written in the transaction of the
//! event, so a notification exists if and only if its event does.

use crate::Store;
use crate::db::Tx;
use crate::db::query::{Param, Query};
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::{LedgerKind, OwnerChange};
use serde::Serialize;
use std::collections::BTreeMap;

/// What a notification is about; its code names the message (`people.notify_<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A customer you owned before was claimed from the pool.
    ClaimedFormer,
    /// A customer was transferred to you.
    TransferredTo,
    /// A customer of yours was transferred to someone else.
    TransferredFrom,
    /// A customer of yours will be recycled soon (the recycle job).
    RecycleWarning,
    /// A customer of yours was recycled to a pool (the recycle job).
    Recycled,
    /// You were added as collaborator (or your access changed).
    CollaboratorAdded,
    /// You were removed as collaborator.
    CollaboratorRemoved,
    /// Your collaboration request was declined.
    RequestDeclined,
    /// An appeal was filed on a customer you own or manage.
    AppealFiled,
    /// An appeal you filed or were the owner in was decided.
    AppealDecided,
    /// A customer of yours sent a new inquiry (a lead matched it).
    LeadInquiry,
    /// Routing gave you a new lead.
    LeadRouted,
    /// A lead of yours is still unanswered (an escalation step).
    LeadReminder,
    /// A rep you manage let a lead's response window pass.
    LeadBreached,
    /// A lead you let pass its response window went to another rep.
    LeadReassigned,
    /// A lead's window passed and no other rep could take it.
    LeadStuck,
    /// The availability feed's pushes started failing validation (admins).
    FeedInvalid,
    /// The availability feed has not been pushed within its heartbeat (admins).
    FeedStale,
}

impl NotificationKind {
    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::ClaimedFormer => "claimed_former",
            Self::TransferredTo => "transferred_to",
            Self::TransferredFrom => "transferred_from",
            Self::RecycleWarning => "recycle_warning",
            Self::Recycled => "recycled",
            Self::CollaboratorAdded => "collaborator_added",
            Self::CollaboratorRemoved => "collaborator_removed",
            Self::RequestDeclined => "request_declined",
            Self::AppealFiled => "appeal_filed",
            Self::AppealDecided => "appeal_decided",
            Self::LeadInquiry => "lead_inquiry",
            Self::LeadRouted => "lead_routed",
            Self::LeadReminder => "lead_reminder",
            Self::LeadBreached => "lead_breached",
            Self::LeadReassigned => "lead_reassigned",
            Self::LeadStuck => "lead_stuck",
            Self::FeedInvalid => "feed_invalid",
            Self::FeedStale => "feed_stale",
        }
    }
}

/// A notification to write. `params` are the names its message shows (customer, by …).
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    /// The recipient.
    pub user: UserId,
    /// What happened.
    pub kind: NotificationKind,
    /// The customer it is about.
    pub customer: Option<CustomerId>,
    /// Message parameters.
    pub params: BTreeMap<&'static str, String>,
}

impl NewNotification {
    /// Its parameters as stored: a JSON object.
    pub(crate) fn params_json(&self) -> Result<String, StoreError> {
        serde_json::to_string(&self.params).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// The columns a notification is written with, before its `values`.
pub(crate) const INSERT: &str =
    "insert into notifications (user_id, kind, customer_id, params, created_at) ";

/// A notification as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// Kind code (see [`NotificationKind::code`]).
    pub kind: String,
    /// The customer it is about.
    pub customer_id: Option<i64>,
    /// Message parameters, a JSON object.
    #[serde(skip)]
    pub params: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When read; `None` while unread.
    pub read_at: Option<DateTime<Utc>>,
}

impl Notification {
    /// Its message parameters.
    pub fn param_map(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.params).unwrap_or_default()
    }
}

/// Writes `notes` inside the caller's transaction (the event's), at `now`. The recycle job
/// calls this with [`NotificationKind::RecycleWarning`] / [`NotificationKind::Recycled`].
pub(crate) async fn add_in(
    tx: &mut Tx,
    notes: &[NewNotification],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    // One statement per chunk: a recycle pass notifies dozens of owners per transaction.
    for chunk in notes.chunks(NOTES_PER_STATEMENT) {
        let params = chunk
            .iter()
            .map(NewNotification::params_json)
            .collect::<Result<Vec<_>, _>>()?;
        let mut q = Query::new(INSERT);
        q.push("values ")
            .push_rows(chunk.iter().zip(params), |(n, p)| {
                vec![
                    Param::from(n.user.0),
                    Param::from(n.kind.code()),
                    Param::from(n.customer.map(|c| c.0)),
                    Param::from(p),
                    Param::from(micros(now)),
                ]
            });
        tx.run(&q).await?;
    }
    Ok(())
}

/// Rows per notification insert (five parameters each, far under either engine's limit).
const NOTES_PER_STATEMENT: usize = 500;

/// A user's display name, inside a transaction.
pub(crate) async fn user_name(tx: &mut Tx, user: UserId) -> Result<String, StoreError> {
    let q = Query::new("select name from users where id = $1").bind(user.0);
    let (name,): (String,) = tx.one(&q).await?;
    Ok(name)
}

/// A customer's name, inside a transaction.
pub(crate) async fn customer_name(tx: &mut Tx, id: CustomerId) -> Result<String, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, String>(
        "select name from customers where id = $1"
    )
    .bind(id.0)
    .fetch_one(&mut *c)
    .await?))
}

/// The active managers whose subtree holds `user`'s team (they decide appeals on the
/// customers `user` owns).
pub(crate) async fn managers_of(tx: &mut Tx, user: UserId) -> Result<Vec<UserId>, StoreError> {
    let q = Query::new(
        "select m.id from users m join teams mt on mt.id = m.team_id, users u \
         join teams ut on ut.id = u.team_id where u.id = $1 and m.role = 'manager' and m.active \
         and ut.path like mt.path || '%' and m.id <> u.id order by m.id",
    )
    .bind(user.0);
    let ids: Vec<(i64,)> = tx.all(&q).await?;
    Ok(ids.into_iter().map(|(id,)| UserId(id)).collect())
}

/// The owner before the pool: who released it or lost it to a recycle (for "your former
/// customer was claimed"). Read after the claim's event was appended, so it skips that one.
async fn former_owner(tx: &mut Tx, id: CustomerId) -> Result<Option<UserId>, StoreError> {
    let from: Option<Option<i64>> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "select from_user from ownership_events where customer_id = $1 order by at desc, id desc limit 1 offset 1"
    )
    .bind(id.0)
    .fetch_optional(&mut *c)
    .await?
    });
    Ok(from.flatten().map(UserId))
}

/// Writes the notifications of an owner change just applied in `tx` (called by the one
/// writer, `ownership::apply`, so they exist if and only if the change does).
pub(crate) async fn on_owner_change(tx: &mut Tx, change: &OwnerChange) -> Result<(), StoreError> {
    let former = if change.kind == LedgerKind::Claim {
        former_owner(tx, change.customer_id).await?
    } else {
        None
    };
    let notes = notes_for_change(tx, change, former).await?;
    add_in(tx, &notes, change.at).await
}

/// What a claim's notification needs, read by the claim before it takes the write lock
/// (the customer's name, the claimer's) or in its one facts statement (the former owner).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClaimNotice<'a> {
    /// Who owned it before the pool (the last ledger event's `from_user`).
    pub former: Option<UserId>,
    /// The customer's name.
    pub customer: &'a str,
    /// The claimer's name (`by` and `to` of a claim).
    pub claimer: &'a str,
}

/// [`on_owner_change`] for a claim, from what the claim already knows: the same
/// notification (to the former owner, unless they claim it back), without reading again.
pub(crate) async fn on_claim(
    tx: &mut Tx,
    change: &OwnerChange,
    notice: ClaimNotice<'_>,
) -> Result<(), StoreError> {
    match claim_note(change, notice) {
        Some(note) => add_in(tx, &[note], change.at).await,
        None => Ok(()),
    }
}

/// The notification a claim sends: to the former owner, unless they claim it back.
pub(crate) fn claim_note(change: &OwnerChange, notice: ClaimNotice<'_>) -> Option<NewNotification> {
    debug_assert!(change.kind == LedgerKind::Claim && change.to == Some(change.by));
    let former = notice.former.filter(|u| *u != change.by)?;
    let mut params = BTreeMap::new();
    params.insert("customer", notice.customer.to_owned());
    params.insert("by", notice.claimer.to_owned());
    params.insert("to", notice.claimer.to_owned());
    Some(NewNotification {
        user: former,
        kind: NotificationKind::ClaimedFormer,
        customer: Some(change.customer_id),
        params,
    })
}

/// The notifications an owner change sends: the former owner of a claimed customer, both
/// ends of a transfer, the loser of a recycle — never the actor themself.
async fn notes_for_change(
    tx: &mut Tx,
    change: &OwnerChange,
    former: Option<UserId>,
) -> Result<Vec<NewNotification>, StoreError> {
    use NotificationKind as K;
    let mut wanted: Vec<(UserId, K)> = Vec::new();
    match change.kind {
        LedgerKind::Claim => wanted.extend(former.map(|u| (u, K::ClaimedFormer))),
        LedgerKind::Transfer => {
            wanted.extend(change.to.map(|u| (u, K::TransferredTo)));
            wanted.extend(change.from.map(|u| (u, K::TransferredFrom)));
        }
        LedgerKind::Recycle => wanted.extend(change.from.map(|u| (u, K::Recycled))),
        _ => {}
    }
    wanted.retain(|(u, _)| *u != change.by);
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = BTreeMap::new();
    params.insert("customer", customer_name(tx, change.customer_id).await?);
    params.insert("by", user_name(tx, change.by).await?);
    for (key, user) in [("from", change.from), ("to", change.to)] {
        if let Some(u) = user {
            params.insert(key, user_name(tx, u).await?);
        }
    }
    Ok(wanted
        .into_iter()
        .map(|(user, kind)| NewNotification {
            user,
            kind,
            customer: Some(change.customer_id),
            params: params.clone(),
        })
        .collect())
}

impl Store {
    /// Writes notifications on their own (for events that are not written elsewhere).
    pub async fn add_notifications(
        &self,
        notes: &[NewNotification],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        add_in(&mut tx, notes, now).await?;
        tx.commit().await
    }

    /// A user's notifications, newest first (at most `limit`).
    pub async fn notifications(
        &self,
        user: UserId,
        unread_only: bool,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, Notification>(
            "select id, kind, customer_id, params, created_at, read_at from notifications \
             where user_id = $1 and ($2 = 0 or read_at is null) order by id desc limit $3"
        )
        .bind(user.0)
        .bind(i64::from(unread_only))
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }

    /// Marks `user`'s notifications read: the one `id`, or all when `None`. Answers how many
    /// changed; another user's id changes nothing.
    pub async fn mark_notifications_read(
        &self,
        user: UserId,
        id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query(
            "update notifications set read_at = $1 where user_id = $2 and read_at is null \
             and ($3 = 0 or id = $3)"
        )
        .bind(micros(now))
        .bind(user.0)
        .bind(id.unwrap_or(0))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
    }

    /// How many unread notifications `user` has.
    pub async fn unread_count(&self, user: UserId) -> Result<i64, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_scalar(
            "select count(*) from notifications where user_id = $1 and read_at is null"
        )
        .bind(user.0)
        .fetch_one(p)
        .await)?)
    }
}
