//! Writing a routing decision: the lead's new state with its event and clock, and who is told.
//! A first routing moves the lead from `unrouted`; a reassignment moves it from the rep who
//! missed its window, or, when nobody else can take it, leaves it with them and tells their
//! managers. Every write is compare-and-set on where the lead stood when it was read.

use super::RouteFrom;
use crate::db::Tx;
use crate::db::query::Query;
use crate::error::StoreError;
use crate::leads::response::{NewEvent, add_event, clock_of, rep_name, start_clock};
use crate::notifications::{NewNotification, NotificationKind, add_in, managers_of};
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::{CustomerId, TeamId, UserId};
use kehu_domain::lead::LeadId;
use kehu_domain::routing::Routing;
use std::collections::BTreeMap;

/// What the write needs besides the decision.
pub(crate) struct WriteCtx<'a> {
    /// The lead.
    pub lead: LeadId,
    /// Where it is routed from.
    pub from: RouteFrom,
    /// Its source's name, for the notifications.
    pub source_name: &'a str,
    /// The source's response window (JSON), for the clock of a first routing.
    pub window: Option<&'a str>,
    /// The customer it matched.
    pub customer: Option<CustomerId>,
    /// When it is routed.
    pub now: DateTime<Utc>,
}

impl WriteCtx<'_> {
    fn note(&self, user: UserId, kind: NotificationKind, rep: Option<&str>) -> NewNotification {
        let mut params = BTreeMap::new();
        params.insert("lead", self.lead.0.to_string());
        params.insert("source", self.source_name.to_owned());
        if let Some(rep) = rep {
            params.insert("rep", rep.to_owned());
        }
        NewNotification {
            user,
            kind,
            customer: self.customer,
            params,
        }
    }
}

/// Writes `routing` for the lead; false when it moved since it was read (nothing written).
pub(super) async fn apply(
    tx: &mut Tx,
    ctx: &WriteCtx<'_>,
    routing: &Routing,
) -> Result<bool, StoreError> {
    let RouteFrom::Missed { rep, step } = ctx.from else {
        return first_routing(tx, ctx, routing).await;
    };
    let json = serde_json::to_string(&routing.explanation)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    match routing.chosen {
        Some(to) => reassign(tx, ctx, (rep, step), to, &json).await,
        None => keep(tx, ctx, (rep, step), &json).await,
    }
}

/// Where a first routing puts a lead: the columns it writes, on the lead's insert at intake
/// or on the update of an unrouted lead.
pub(crate) struct Placement {
    /// `assigned`, `pooled` or still `unrouted`.
    pub status: &'static str,
    /// The chosen rep.
    pub assigned_to: Option<UserId>,
    /// When it was assigned.
    pub assigned_at: Option<DateTime<Utc>>,
    /// The clock: breach and first step (see [`clock_of`]).
    pub due: Option<DateTime<Utc>>,
    /// The first ladder step's instant.
    pub next: Option<DateTime<Utc>>,
    /// The team whose lead pool it waits in.
    pub pool_team: Option<TeamId>,
    /// The routing's explanation, as JSON (none for a lead intake did not route).
    pub json: Option<String>,
}

impl Placement {
    /// The placement of a first routing at `now` under the source's window (JSON).
    pub(crate) fn first(
        routing: &Routing,
        window: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Placement, StoreError> {
        let json = serde_json::to_string(&routing.explanation)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let (status, pool_team) = match (routing.chosen, routing.pooled) {
            (Some(_), _) => ("assigned", None),
            (None, Some(team)) => ("pooled", Some(team)),
            (None, None) => ("unrouted", None),
        };
        let mut placed = Placement::new(status, routing.chosen, window, now)?;
        placed.pool_team = pool_team;
        placed.json = Some(json);
        Ok(placed)
    }

    /// A lead in `status`, with `assignee` when it has one: assigned at `now`, its clock
    /// started by the source's window (JSON).
    pub(crate) fn new(
        status: &'static str,
        assignee: Option<UserId>,
        window: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Placement, StoreError> {
        let (due, next) = match assignee {
            Some(_) => clock_of(window, now)?,
            None => (None, None),
        };
        Ok(Placement {
            status,
            assigned_to: assignee,
            assigned_at: assignee.map(|_| micros(now)),
            due,
            next,
            pool_team: None,
            json: None,
        })
    }
}

/// What follows a first routing once the lead stands where it put it: the event, and the
/// chosen rep's notification.
pub(crate) async fn announce_first(
    tx: &mut Tx,
    ctx: &WriteCtx<'_>,
    placed: &Placement,
) -> Result<(), StoreError> {
    if let Some(user) = placed.assigned_to {
        let event = NewEvent {
            to: Some(user),
            ..NewEvent::system(ctx.lead, "assigned")
        };
        add_event(tx, &event, ctx.now).await?;
        let note = ctx.note(user, NotificationKind::LeadRouted, None);
        add_in(tx, &[note], ctx.now).await?;
    } else if placed.pool_team.is_some() {
        add_event(tx, &NewEvent::system(ctx.lead, "pooled"), ctx.now).await?;
    }
    Ok(())
}

/// From `unrouted`: assigned to the chosen rep (clock started), into a team's lead pool
/// (whose reps claim it; the clock starts then), or still unrouted with the explanation.
async fn first_routing(
    tx: &mut Tx,
    ctx: &WriteCtx<'_>,
    routing: &Routing,
) -> Result<bool, StoreError> {
    let placed = Placement::first(routing, ctx.window, ctx.now)?;
    // The assignment and its clock in one statement.
    let q = Query::new(
        "update leads set status = $1, assigned_to = $2, assigned_at = $3, routing = $4, \
         window_due_at = $5, next_step_at = $6, ladder_step = 0, \
         pool_team_id = coalesce($7, pool_team_id) where id = $8 and status = 'unrouted'",
    )
    .bind(placed.status)
    .bind(placed.assigned_to.map(|u| u.0))
    .bind(placed.assigned_at)
    .bind(placed.json.as_deref())
    .bind(placed.due)
    .bind(placed.next)
    .bind(placed.pool_team.map(|t| t.0))
    .bind(ctx.lead.0);
    if tx.run(&q).await? != 1 {
        return Ok(false);
    }
    announce_first(tx, ctx, &placed).await?;
    Ok(true)
}

/// From the rep who missed the window to `to`: the clock starts over for `to`.
async fn reassign(
    tx: &mut Tx,
    ctx: &WriteCtx<'_>,
    (rep, step): (UserId, usize),
    to: UserId,
    json: &str,
) -> Result<bool, StoreError> {
    let q = Query::new(
        "update leads set assigned_to = $1, assigned_at = $2, routing = $3 \
         where id = $4 and status = 'assigned' and assigned_to = $5 and ladder_step = $6 \
         and responded_at is null",
    )
    .bind(to.0)
    .bind(micros(ctx.now))
    .bind(json)
    .bind(ctx.lead.0)
    .bind(rep.0)
    .bind(step);
    let n = tx.run(&q).await?;
    if n != 1 {
        return Ok(false);
    }
    start_clock(tx, ctx.lead, ctx.now).await?;
    let event = NewEvent {
        from: Some(rep),
        to: Some(to),
        step: Some(step),
        ..NewEvent::system(ctx.lead, "reassigned")
    };
    add_event(tx, &event, ctx.now).await?;
    let old = rep_name(tx, rep).await?;
    let notes = [
        ctx.note(to, NotificationKind::LeadRouted, None),
        ctx.note(rep, NotificationKind::LeadReassigned, Some(&old)),
    ];
    add_in(tx, &notes, ctx.now).await?;
    Ok(true)
}

/// Nobody else can take it: it stays with `rep`, the ladder is done, the managers are told.
async fn keep(
    tx: &mut Tx,
    ctx: &WriteCtx<'_>,
    (rep, step): (UserId, usize),
    json: &str,
) -> Result<bool, StoreError> {
    let q = Query::new(
        "update leads set ladder_step = ladder_step + 1, next_step_at = null, routing = $1 \
         where id = $2 and status = 'assigned' and assigned_to = $3 and ladder_step = $4 \
         and responded_at is null",
    )
    .bind(json)
    .bind(ctx.lead.0)
    .bind(rep.0)
    .bind(step);
    let n = tx.run(&q).await?;
    if n != 1 {
        return Ok(false);
    }
    let event = NewEvent {
        to: Some(rep),
        step: Some(step),
        ..NewEvent::system(ctx.lead, "reassign_failed")
    };
    add_event(tx, &event, ctx.now).await?;
    let name = rep_name(tx, rep).await?;
    let notes: Vec<NewNotification> = managers_of(tx, rep)
        .await?
        .into_iter()
        .map(|m| ctx.note(m, NotificationKind::LeadStuck, Some(&name)))
        .collect();
    add_in(tx, &notes, ctx.now).await?;
    Ok(true)
}
