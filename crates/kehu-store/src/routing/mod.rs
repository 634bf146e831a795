//! Routing rules and routing a lead. The whole rule list is replaced at once; each rule's
//! strategy state is advanced compare-and-set (`version`) in the same short transaction as
//! the assignment, and the lead itself moves only from `unrouted`, so two instances routing
//! at once stay fair and never assign one lead twice (the loser re-reads and retries).

mod facts;
mod lead;
mod profile;
mod simulate;
mod write;

use crate::Store;
use crate::db::query::Query;
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, FixedOffset, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::lead::LeadId;
use kehu_domain::routing::{
    CandidateFacts, FormerOwner, LeadFacts, Routing, RoutingRule, StrategyState,
};
pub(crate) use lead::of_new as facts_of_new;
pub use simulate::SimulationFacts;
use std::collections::HashMap;
pub(crate) use write::{Placement, WriteCtx, announce_first};

/// How often a routing that lost a compare-and-set is re-run (after [`cas_pause`]).
pub(crate) const CAS_RETRIES: u32 = 30;

/// A stored rule with its row id.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRule {
    /// Row id (strategy state hangs off it).
    pub id: i64,
    /// The rule.
    pub rule: RoutingRule,
}

/// Where a lead is routed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteFrom {
    /// Awaiting routing.
    Unrouted,
    /// Its rep let the response window pass; `step` is the ladder step that reassigns.
    Missed {
        /// The rep who has it.
        rep: UserId,
        /// Steps taken so far (the reassigning step's index).
        step: usize,
    },
}

/// What routing did to a lead.
#[derive(Debug, Clone, PartialEq)]
pub struct Routed {
    /// The decision (chosen rep, explanation).
    pub routing: Routing,
}

/// The decision of a routing over what its transaction read: the lead, the former owner it
/// may go back to, the rules with their state, and the candidates' facts.
pub trait Decide:
    Fn(
    &LeadFacts,
    Option<&FormerOwner>,
    &[(RoutingRule, StrategyState)],
    &HashMap<UserId, CandidateFacts>,
) -> Routing
{
}

impl<F> Decide for F where
    F: Fn(
        &LeadFacts,
        Option<&FormerOwner>,
        &[(RoutingRule, StrategyState)],
        &HashMap<UserId, CandidateFacts>,
    ) -> Routing
{
}

/// One routing to run: its instant and the team's UTC offset (for rules' weekdays and
/// hours), whether the availability feed's leave counts, and the decision.
pub struct RouteWith<F> {
    /// When the lead is routed.
    pub now: DateTime<Utc>,
    /// The team's UTC offset.
    pub local: FixedOffset,
    /// Count the feed's leave (not while its fallback is hand-recorded leave only).
    pub feed_leave: bool,
    /// The decision.
    pub decide: F,
}

type RuleRow = (i64, String, String, String, String, Option<String>, bool);

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_rule(row: RuleRow) -> Result<StoredRule, StoreError> {
    let (id, name, criteria, target, strategy, dynamic, active) = row;
    Ok(StoredRule {
        id,
        rule: RoutingRule {
            name,
            criteria: from_json(&criteria)?,
            target: from_json(&target)?,
            strategy: from_json(&strategy)?,
            dynamic: dynamic.as_deref().map(from_json).transpose()?,
            active,
        },
    })
}

const RULES: &str = "select id, name, criteria, target, strategy, dynamic, active \
     from routing_rules order by position";

impl Store {
    /// The routing rules in order.
    pub async fn routing_rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        let rows: Vec<RuleRow> = on_db!(&self.db, |p| sqlx::query_as(RULES).fetch_all(p).await)?;
        rows.into_iter().map(parse_rule).collect()
    }

    /// Replaces the whole list (validated by the caller). Strategy state starts afresh.
    pub async fn replace_routing_rules(
        &self,
        rules: &[RoutingRule],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            for sql in ["delete from routing_state", "delete from routing_rules"] {
                on_tx!(&mut tx, |c| sqlx::query(sql)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected()))?;
            }
            for (i, r) in rules.iter().enumerate() {
                let (criteria, target) = (to_json(&r.criteria)?, to_json(&r.target)?);
                let strategy = to_json(&r.strategy)?;
                let dynamic = r.dynamic.as_ref().map(to_json).transpose()?;
                on_tx!(&mut tx, |c| sqlx::query(
                    "insert into routing_rules (position, name, criteria, target, strategy, \
                     active, updated_at, dynamic) values ($1, $2, $3, $4, $5, $6, $7, $8)"
                )
                .bind(i as i64)
                .bind(r.name.trim())
                .bind(&criteria)
                .bind(&target)
                .bind(&strategy)
                .bind(r.active)
                .bind(micros(now))
                .bind(&dynamic)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Routes `lead` if it still stands where `from` says (awaiting routing, or with the rep
    /// who missed its window at that step) in a transaction of its own, by `route_in`; a
    /// routing that lost the race for a rule's state is run again. `Ok(None)`: the lead moved
    /// meanwhile and nothing was written.
    pub async fn route_lead<F: Decide>(
        &self,
        lead: LeadId,
        from: RouteFrom,
        with: &RouteWith<F>,
    ) -> Result<Option<Routed>, StoreError> {
        let mut attempt = 0;
        loop {
            let once = || async {
                let mut tx = self.begin_write().await?;
                let routed = route_in(&mut tx, lead, from, with).await?;
                if routed.is_some() {
                    tx.commit().await?;
                }
                Ok(routed)
            };
            match with_retry(once).await {
                Err(StoreError::Stale) if attempt < CAS_RETRIES => {
                    attempt += 1;
                    cas_pause(attempt).await;
                }
                other => return other,
            }
        }
    }
}

/// A short jittered pause before the `attempt`-th re-run of a routing that lost a
/// compare-and-set, so a burst of leads on one rule spreads out instead of colliding again.
pub(crate) async fn cas_pause(attempt: u32) {
    let pause = rand::random_range(1..=(2u64 << attempt.min(5)));
    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
}

/// Routes `lead` inside `tx` if it still stands where `from` says: `decide` sees the lead,
/// the former owner of the pool customer it matched (a first routing only), the rules with
/// their state and the facts, read in this transaction, of the reps of the rules that take
/// the lead at `now` (in the `local` offset); their leave from the availability feed counts
/// only with `feed_leave`. Writes the decision on the lead with its event and clock, the
/// notifications and the rule's new state, or nothing when the lead moved meanwhile
/// (`Ok(None)`). [`StoreError::Stale`]: another routing advanced the rule's state first;
/// the caller rolls back and runs it again.
pub(crate) async fn route_in<F: Decide>(
    tx: &mut Tx,
    lead: LeadId,
    from: RouteFrom,
    with: &RouteWith<F>,
) -> Result<Option<Routed>, StoreError> {
    let Some(read) = lead::to_route(tx, lead, from).await? else {
        return Ok(None);
    };
    let missed = missed_reps(tx, lead, from).await?;
    let planned = plan(tx, &read.facts, read.customer, from, &missed, with).await?;
    let ctx = WriteCtx {
        lead,
        from,
        source_name: &read.source_name,
        window: read.window.as_deref(),
        customer: read.customer,
        now: with.now,
    };
    // The lead's compare-and-set first: when it moved, nothing at all is written.
    if !write::apply(tx, &ctx, &planned.routing).await? {
        return Ok(None);
    }
    planned.save_state(tx).await?;
    Ok(Some(Routed {
        routing: planned.routing,
    }))
}

/// A routing decided inside a transaction and not yet written, with the rules it read (for
/// the chosen rule's compare-and-set).
pub(crate) struct Planned {
    /// The decision.
    pub routing: Routing,
    rules: Vec<RuleState>,
}

impl Planned {
    /// Writes the new state of the rule that decided, compare-and-set on what was read;
    /// [`StoreError::Stale`] when another routing advanced it first.
    pub(crate) async fn save_state(&self, tx: &mut Tx) -> Result<(), StoreError> {
        if let Some((index, state)) = &self.routing.state {
            let (id, _, old) = &self.rules[*index];
            save_state(tx, *id, state, old.as_ref().map(|(_, v)| *v)).await?;
        }
        Ok(())
    }
}

/// The first routing of a lead not yet written (intake inserts it already routed): what
/// [`route_in`] decides for an unrouted lead with these facts, matching `customer`.
pub(crate) async fn plan_new<F: Decide>(
    tx: &mut Tx,
    facts: &LeadFacts,
    customer: Option<CustomerId>,
    with: &RouteWith<F>,
) -> Result<Planned, StoreError> {
    plan(tx, facts, customer, RouteFrom::Unrouted, &[], with).await
}

/// Decides a routing inside `tx`: `decide` sees the lead's facts, the former owner of the
/// pool customer it matched (a first routing only), the rules with their state and the
/// facts, read in this transaction, of the reps of the rules that take the lead; `missed`
/// are the reps a reassignment passes over.
async fn plan<F: Decide>(
    tx: &mut Tx,
    facts: &LeadFacts,
    customer: Option<CustomerId>,
    from: RouteFrom,
    missed: &[UserId],
    with: &RouteWith<F>,
) -> Result<Planned, StoreError> {
    // Only a first routing of a lead matching a pool customer can go back to its owner.
    let former = match (from, customer) {
        (RouteFrom::Unrouted, Some(c)) => facts::former_owner(tx, c).await?,
        _ => None,
    };
    lock_states(tx).await?;
    let mut rules = rules_with_state(tx).await?;
    for (_, rule, _) in &mut rules {
        if let Some(team) = rule.target.team {
            rule.target.reps = facts::team_reps(tx, team).await?;
        }
    }
    // Only the reps of rules that take this lead matter: the others' facts are not read.
    let at = with.now.with_timezone(&with.local);
    let taking: Vec<&RoutingRule> = rules
        .iter()
        .map(|(_, r, _)| r)
        .filter(|r| r.active && r.miss(facts, at).is_none())
        .collect();
    let mut users: Vec<UserId> = taking
        .iter()
        .flat_map(|r| r.target.reps.iter().map(|t| t.user))
        .collect();
    users.extend(former.as_ref().map(|f| f.user));
    users.sort_unstable();
    users.dedup();
    let wanted = facts::Wanted::of(with.feed_leave, taking.iter().map(|r| r.strategy));
    let mut candidates = facts::candidates(tx, &users, with.now, &wanted).await?;
    for (u, f) in &mut candidates {
        f.missed_window = missed.contains(u);
    }
    let list: Vec<(RoutingRule, StrategyState)> = rules
        .iter()
        .map(|(_, r, s)| {
            (
                r.clone(),
                s.as_ref().map(|(s, _)| s.clone()).unwrap_or_default(),
            )
        })
        .collect();
    let routing = (with.decide)(facts, former.as_ref(), &list, &candidates);
    Ok(Planned { routing, rules })
}

/// On PostgreSQL, takes the row locks of every rule's strategy state, so concurrent routings
/// queue for them instead of all reading one state and all but one failing its
/// compare-and-set (200 concurrent leads on one rule retried for seconds). SQLite needs
/// nothing: `BEGIN IMMEDIATE` already holds the one write lock. The compare-and-set stays:
/// it still decides the first write of a rule's state.
async fn lock_states(tx: &mut Tx) -> Result<(), StoreError> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("select rule_id from routing_state order by rule_id for update")
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// The reps a reassignment must pass over: whoever let this lead's window pass before, and
/// the rep who has it now.
async fn missed_reps(
    tx: &mut Tx,
    lead: LeadId,
    from: RouteFrom,
) -> Result<Vec<UserId>, StoreError> {
    let RouteFrom::Missed { rep, .. } = from else {
        return Ok(Vec::new());
    };
    let q = Query::new(
        "select from_user from lead_events where lead_id = $1 and kind = 'reassigned' \
         and from_user is not null",
    )
    .bind(lead.0);
    let before: Vec<(i64,)> = tx.all(&q).await?;
    let mut reps: Vec<UserId> = before.into_iter().map(|(id,)| UserId(id)).collect();
    reps.push(rep);
    Ok(reps)
}

type RuleState = (i64, RoutingRule, Option<(StrategyState, i64)>);

async fn rules_with_state(tx: &mut Tx) -> Result<Vec<RuleState>, StoreError> {
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        Option<String>,
        bool,
        Option<String>,
        Option<i64>,
    );
    let q = Query::new(
        "select r.id, r.name, r.criteria, r.target, r.strategy, r.dynamic, r.active, s.state, \
         s.version from routing_rules r left join routing_state s on s.rule_id = r.id \
         order by r.position",
    );
    let rows: Vec<Row> = tx.all(&q).await?;
    rows.into_iter()
        .map(
            |(id, name, criteria, target, strategy, dynamic, active, state, version)| {
                let row = (id, name, criteria, target, strategy, dynamic, active);
                let stored = parse_rule(row)?;
                let state = match (state, version) {
                    (Some(s), Some(v)) => Some((from_json(&s)?, v)),
                    _ => None,
                };
                Ok((stored.id, stored.rule, state))
            },
        )
        .collect()
}

/// Writes a rule's new state if it is still at `version` (inserts it when there was none);
/// [`StoreError::Stale`] when another routing got there first.
async fn save_state(
    tx: &mut Tx,
    rule: i64,
    state: &StrategyState,
    version: Option<i64>,
) -> Result<(), StoreError> {
    let json = to_json(state)?;
    let q = match version {
        Some(v) => Query::new(
            "update routing_state set state = $1, version = version + 1 \
             where rule_id = $2 and version = $3",
        )
        .bind(json)
        .bind(rule)
        .bind(v),
        None => Query::new(
            "insert into routing_state (rule_id, state, version) values ($1, $2, 1) \
             on conflict (rule_id) do nothing",
        )
        .bind(rule)
        .bind(json),
    };
    let n = tx.run(&q).await?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}
