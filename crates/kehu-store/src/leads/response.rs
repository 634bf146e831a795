//! Response windows (黄金响应窗口): the clock an assignment starts, the first response that
//! stops it, the escalation steps the job takes while it runs, and the lead's own ledger
//! (`lead_events`). Every step is a compare-and-set on the lead's `ladder_step`, so two
//! instances running the job take each step once.

use crate::Store;
use crate::db::query::Query;
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::notifications::{NewNotification, NotificationKind, add_in, managers_of};
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::lead::{LeadId, ResponseWindow, StepAction};
use serde::Serialize;
use std::collections::BTreeMap;

/// What happened to a lead, as its timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct LeadEvent {
    /// Id, in order of writing.
    pub id: i64,
    /// `assigned`, `reminded`, `manager_notified`, `reassigned`, `reassign_failed`,
    /// `kept_with_owner` or `responded`.
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who did it; `None` for the system.
    pub by_name: Option<String>,
    /// The rep it concerned before (a reassignment's from).
    pub from_name: Option<String>,
    /// The rep it went to, or who was reminded.
    pub to_name: Option<String>,
    /// The ladder step taken (0-based), for steps.
    pub step: Option<i64>,
    /// The rep's note with a response.
    pub note: Option<String>,
}

/// An escalation step due now, with what the job needs to take it.
#[derive(Debug, Clone, PartialEq)]
pub struct DueStep {
    /// The lead.
    pub lead: LeadId,
    /// Its source's name, for messages.
    pub source_name: String,
    /// The source's window.
    pub window: ResponseWindow,
    /// The rep who has it.
    pub assigned_to: UserId,
    /// Since when.
    pub assigned_at: DateTime<Utc>,
    /// Steps taken so far: the due step's index.
    pub step: usize,
    /// It went to the owner of the customer it matched: it is never reassigned.
    pub to_owner: bool,
    /// The customer it matched.
    pub customer: Option<CustomerId>,
}

/// Why a first response was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RespondRefusal {
    /// Only the assigned rep answers their lead.
    NotAssignee,
    /// Answered already, at that instant.
    AlreadyResponded(DateTime<Utc>),
}

/// An event to append.
pub(crate) struct NewEvent<'a> {
    pub lead: LeadId,
    pub kind: &'a str,
    pub by: Option<UserId>,
    pub from: Option<UserId>,
    pub to: Option<UserId>,
    pub step: Option<usize>,
    pub note: Option<&'a str>,
}

impl NewEvent<'_> {
    /// A system event about `lead`.
    pub(crate) fn system(lead: LeadId, kind: &str) -> NewEvent<'_> {
        NewEvent {
            lead,
            kind,
            by: None,
            from: None,
            to: None,
            step: None,
            note: None,
        }
    }
}

/// Appends `e` at `now` inside the caller's transaction.
pub(crate) async fn add_event(
    tx: &mut Tx,
    e: &NewEvent<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let q = Query::new(
        "insert into lead_events (lead_id, kind, at, by_user, from_user, to_user, step, note) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(e.lead.0)
    .bind(e.kind)
    .bind(micros(now))
    .bind(e.by.map(|u| u.0))
    .bind(e.from.map(|u| u.0))
    .bind(e.to.map(|u| u.0))
    .bind(e.step)
    .bind(e.note);
    tx.run(&q).await?;
    Ok(())
}

fn parse_window(json: Option<String>) -> Result<Option<ResponseWindow>, StoreError> {
    json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// The clock of a lead assigned at `at` by its source's window (`json`): the breach for the
/// countdown and the first step's instant; none without a window.
pub(crate) type Clock = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// [`Clock`] of a lead assigned at `at` under the window `json`.
pub(crate) fn clock_of(json: Option<&str>, at: DateTime<Utc>) -> Result<Clock, StoreError> {
    let window = parse_window(json.map(str::to_owned))?;
    let due = window.as_ref().map(|w| micros(w.due(at)));
    let next = window.as_ref().and_then(|w| w.step_at(at, 0)).map(micros);
    Ok((due, next))
}

/// Starts the clock of `lead`, assigned at `at`, by its source's window: the breach for the
/// countdown and the first step's instant, step count back to 0. A source without a window
/// clears them.
pub(crate) async fn start_clock(
    tx: &mut Tx,
    lead: LeadId,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let q = Query::new(
        "select s.response_window from leads l join lead_sources s on s.id = l.source_id \
         where l.id = $1",
    )
    .bind(lead.0);
    let (json,): (Option<String>,) = tx.one(&q).await?;
    let (due, next) = clock_of(json.as_deref(), at)?;
    let q = Query::new(
        "update leads set window_due_at = $1, next_step_at = $2, ladder_step = 0 where id = $3",
    )
    .bind(due)
    .bind(next)
    .bind(lead.0);
    tx.run(&q).await?;
    Ok(())
}

type DueRow = (
    i64,
    String,
    String,
    i64,
    DateTime<Utc>,
    i64,
    String,
    Option<i64>,
);

impl Store {
    /// Sets (or, with `None`, removes) a source's response window. Leads assigned later get
    /// it; leads already running keep the clock they started with. False: no such source.
    pub async fn set_response_window(
        &self,
        source: i64,
        window: Option<&ResponseWindow>,
    ) -> Result<bool, StoreError> {
        let json = window
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let n = on_db!(&self.db, |p| sqlx::query(
            "update lead_sources set response_window = $1 where id = $2"
        )
        .bind(&json)
        .bind(source)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// A source's response window, if it has one.
    pub async fn response_window(&self, source: i64) -> Result<Option<ResponseWindow>, StoreError> {
        let json: Option<Option<String>> = on_db!(&self.db, |p| sqlx::query_scalar(
            "select response_window from lead_sources where id = $1"
        )
        .bind(source)
        .fetch_optional(p)
        .await)?;
        parse_window(json.flatten())
    }

    /// Leads whose next escalation step is due at `now`, earliest first, at most `limit`
    /// (one range read of the partial index `leads_next_step`).
    pub async fn due_lead_steps(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueStep>, StoreError> {
        let rows: Vec<DueRow> = on_db!(&self.db, |p| sqlx::query_as(
            "select l.id, s.name, s.response_window, l.assigned_to, l.assigned_at, \
             l.ladder_step, l.outcome, l.customer_id from leads l \
             join lead_sources s on s.id = l.source_id \
             where l.next_step_at is not null and l.next_step_at <= $1 \
             and l.status = 'assigned' and l.responded_at is null \
             and s.response_window is not null \
             order by l.next_step_at, l.id limit $2"
        )
        .bind(micros(now))
        .bind(limit)
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(
                |(id, source_name, window, to, at, step, outcome, customer)| {
                    let window = parse_window(Some(window))?.ok_or(StoreError::NotFound)?;
                    Ok(DueStep {
                        lead: LeadId(id),
                        source_name,
                        window,
                        assigned_to: UserId(to),
                        assigned_at: at,
                        step: usize::try_from(step).unwrap_or(usize::MAX),
                        to_owner: outcome == "assigned_owner",
                        customer: customer.map(CustomerId),
                    })
                },
            )
            .collect()
    }

    /// Takes `due`'s step with `action` (a reminder, a manager told, or a lead kept with its
    /// owner in place of a reassignment): the event, the notifications and the next step's
    /// instant, if the lead still stands where `due` saw it. False: it moved meanwhile
    /// (answered, reassigned, or the step taken by another instance).
    pub async fn take_lead_step(
        &self,
        due: &DueStep,
        action: StepAction,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            if !advance(&mut tx, due).await? {
                return Ok(false);
            }
            let (kind, notify, to) = match action {
                StepAction::RemindRep => (
                    "reminded",
                    vec![due.assigned_to],
                    NotificationKind::LeadReminder,
                ),
                StepAction::NotifyManager => (
                    "manager_notified",
                    managers_of(&mut tx, due.assigned_to).await?,
                    NotificationKind::LeadBreached,
                ),
                StepAction::Reassign => (
                    "kept_with_owner",
                    managers_of(&mut tx, due.assigned_to).await?,
                    NotificationKind::LeadBreached,
                ),
            };
            let event = NewEvent {
                to: Some(due.assigned_to),
                step: Some(due.step),
                ..NewEvent::system(due.lead, kind)
            };
            add_event(&mut tx, &event, now).await?;
            let notes = step_notes(due, &notify, to, &rep_name(&mut tx, due.assigned_to).await?);
            add_in(&mut tx, &notes, now).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    /// Records the first response to `lead` by `by`: the clock stops, the event is written.
    /// `Ok(None)` when `by` may not read it (the caller answers 404 before this).
    pub async fn respond_to_lead(
        &self,
        lead: LeadId,
        by: UserId,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Result<(), RespondRefusal>, StoreError> {
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            type Row = (Option<i64>, Option<DateTime<Utc>>);
            let row: Option<Row> = on_tx!(&mut tx, |c| {
                sqlx::query_as(
                "select assigned_to, responded_at from leads where id = $1 and status = 'assigned'"
            )
            .bind(lead.0)
            .fetch_optional(&mut *c)
            .await
            })?;
            match row {
                Some((_, Some(at))) => return Ok(Err(RespondRefusal::AlreadyResponded(at))),
                Some((Some(to), None)) if to == by.0 => {}
                _ => return Ok(Err(RespondRefusal::NotAssignee)),
            }
            on_tx!(&mut tx, |c| sqlx::query(
                "update leads set responded_at = $1, next_step_at = null where id = $2"
            )
            .bind(micros(now))
            .bind(lead.0)
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
            let event = NewEvent {
                by: Some(by),
                note,
                ..NewEvent::system(lead, "responded")
            };
            add_event(&mut tx, &event, now).await?;
            tx.commit().await?;
            Ok(Ok(()))
        })
        .await
    }

    /// A lead's events, oldest first, with names (call after the lead's access check).
    pub async fn lead_events(&self, lead: LeadId) -> Result<Vec<LeadEvent>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, LeadEvent>(
            "select e.id, e.kind, e.at, b.name as by_name, f.name as from_name, \
             t.name as to_name, e.step, e.note from lead_events e \
             left join users b on b.id = e.by_user left join users f on f.id = e.from_user \
             left join users t on t.id = e.to_user where e.lead_id = $1 order by e.id"
        )
        .bind(lead.0)
        .fetch_all(p)
        .await)?)
    }
}

/// A follow-up `rep` logged on `customer` is the first response to their open, unanswered
/// leads of that customer: their clocks stop, each with a `responded_follow_up` event.
pub(crate) async fn answer_by_follow_up(
    tx: &mut Tx,
    customer: CustomerId,
    rep: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let ids: Vec<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "update leads set responded_at = $1, next_step_at = null where customer_id = $2 \
         and assigned_to = $3 and status = 'assigned' and responded_at is null returning id"
    )
    .bind(micros(now))
    .bind(customer.0)
    .bind(rep.0)
    .fetch_all(&mut *c)
    .await)?;
    for id in ids {
        let event = NewEvent {
            by: Some(rep),
            ..NewEvent::system(LeadId(id), "responded_follow_up")
        };
        add_event(tx, &event, now).await?;
    }
    Ok(())
}

/// Moves the lead past `due`'s step (the next step's instant, or none) if it still stands
/// there: assigned to the same rep, unanswered, at the same step.
async fn advance(tx: &mut Tx, due: &DueStep) -> Result<bool, StoreError> {
    let next = due
        .window
        .step_at(due.assigned_at, due.step + 1)
        .map(micros);
    let n = on_tx!(tx, |c| sqlx::query(
        "update leads set ladder_step = ladder_step + 1, next_step_at = $1 \
         where id = $2 and status = 'assigned' and assigned_to = $3 and ladder_step = $4 \
         and responded_at is null"
    )
    .bind(next)
    .bind(due.lead.0)
    .bind(due.assigned_to.0)
    .bind(due.step as i64)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub(crate) async fn rep_name(tx: &mut Tx, user: UserId) -> Result<String, StoreError> {
    let q = Query::new("select name from users where id = $1").bind(user.0);
    let (name,): (String,) = tx.one(&q).await?;
    Ok(name)
}

/// One notification per recipient about `due`'s lead (`lead`, `source`, `rep`, `minutes`).
pub(crate) fn step_notes(
    due: &DueStep,
    to: &[UserId],
    kind: NotificationKind,
    rep: &str,
) -> Vec<NewNotification> {
    let mut params = BTreeMap::new();
    params.insert("lead", due.lead.0.to_string());
    params.insert("source", due.source_name.clone());
    params.insert("rep", rep.to_owned());
    params.insert("minutes", due.window.minutes.to_string());
    to.iter()
        .map(|&user| NewNotification {
            user,
            kind,
            customer: due.customer,
            params: params.clone(),
        })
        .collect()
}
