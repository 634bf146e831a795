//! What routing knows of its candidate reps, read for all of them at once inside the
//! routing transaction: a handful of set-based statements whatever the number of reps, so
//! the write lock is held for a few round trips, not a few per rep.

use super::profile;
use crate::Store;
use crate::db::Tx;
use crate::db::query::Query;
use crate::error::StoreError;
use crate::pools::{home_pool, parse_rules};
use crate::rows::micros;
use chrono::{DateTime, Duration, Utc};
use kehu_domain::ids::{CustomerId, TeamId, UserId};
use kehu_domain::pool::{Leave, PoolRules};
use kehu_domain::routing::{CandidateFacts, FormerOwner, RoutingRule, Strategy, TargetRep};
use std::collections::HashMap;

/// How many recent first responses and how many days of closed deals the dynamic
/// strategy looks at.
const TRACK_RESPONSES: i64 = 50;
const TRACK_DEAL_DAYS: i64 = 180;

/// Options of one read.
pub(super) struct Wanted {
    /// Count the availability feed's leave (not while the fallback is hand-only).
    pub feed_leave: bool,
    /// Read response times and deal records (only the dynamic strategy uses them).
    pub track_record: bool,
    /// Read territories (only the territory strategy uses them).
    pub places: bool,
    /// Read skills (only the skill strategy uses them).
    pub skills: bool,
    /// Count open leads (the strategies that weigh load; round robin does not).
    pub loads: bool,
}

impl Wanted {
    /// Everything the `strategies` of the rules that take a lead look at.
    pub fn of(feed_leave: bool, strategies: impl IntoIterator<Item = Strategy>) -> Wanted {
        let mut w = Wanted {
            feed_leave,
            track_record: false,
            places: false,
            skills: false,
            loads: false,
        };
        for s in strategies {
            w.loads |= !matches!(s, Strategy::RoundRobin | Strategy::WeightedRoundRobin);
            w.track_record |= s == Strategy::Dynamic;
            w.places |= s == Strategy::Territory;
            w.skills |= s == Strategy::Skill;
        }
        w
    }

    /// Everything, whatever the rules (the simulator replays drafts).
    pub fn all(feed_leave: bool) -> Wanted {
        Wanted {
            feed_leave,
            track_record: true,
            places: true,
            skills: true,
            loads: true,
        }
    }
}

/// id, name, active, home pool's rules, working hours.
type FactRow = (i64, String, bool, Option<String>, Option<String>);

/// The facts of `users` at `now`; unknown ids are left out. A rep's owned customers are
/// counted only under an ownership cap, and open leads only for strategies that weigh load:
/// each count walks an index range as long as the rep's book.
pub(super) async fn candidates(
    tx: &mut Tx,
    users: &[UserId],
    now: DateTime<Utc>,
    wanted: &Wanted,
) -> Result<HashMap<UserId, CandidateFacts>, StoreError> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let mut q = Query::new(concat!(
        "select u.id, u.name, u.active, (select rules from pools where id = ",
        home_pool!("u.id"),
        "), (select h.hours from rep_hours h where h.user_id = u.id) \
         from users u where u.id in ("
    ));
    push_ids(&mut q, users);
    let rows: Vec<FactRow> = tx.all(&q).await?;
    let rows = rows
        .into_iter()
        .map(|(id, name, active, rules, hours)| {
            let claim = rules
                .as_deref()
                .map_or_else(|| Ok(PoolRules::default()), parse_rules)?
                .claim;
            Ok((id, name, active, claim, hours))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let capped: Vec<UserId> = rows
        .iter()
        .filter(|r| r.3.ownership_cap.is_some())
        .map(|r| UserId(r.0))
        .collect();
    let mut books = owned_counts(tx, &capped).await?;
    let mut open = if wanted.loads {
        open_counts(tx, users).await?
    } else {
        HashMap::new()
    };
    let mut leave = leaves(tx, users, now, wanted.feed_leave).await?;
    let mut places = if wanted.places {
        profile::territories(tx, users).await?
    } else {
        HashMap::new()
    };
    let mut skills = if wanted.skills {
        profile::skills(tx, users).await?
    } else {
        HashMap::new()
    };
    let (mut medians, mut deals) = if wanted.track_record {
        (medians(tx, users).await?, deals(tx, users, now).await?)
    } else {
        (HashMap::new(), HashMap::new())
    };
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    let mut out = HashMap::with_capacity(rows.len());
    for (id, name, active, claim, hours) in rows {
        let (owned, won) = books.remove(&id).unwrap_or((0, 0));
        let owned = if claim.cap_counts_won {
            owned
        } else {
            owned - won
        };
        let (deals_won, deals_closed) = deals.remove(&id).unwrap_or((0, 0));
        let facts = CandidateFacts {
            name,
            active,
            leaves: leave.remove(&id).unwrap_or_default(),
            owned: n(owned),
            cap: claim.ownership_cap,
            open_leads: n(open.remove(&id).unwrap_or(0)),
            missed_window: false,
            response_median_mins: medians.remove(&id),
            deals_won: n(deals_won),
            deals_closed: n(deals_closed),
            territory: places.remove(&id).unwrap_or_default(),
            out_of_territory: false,
            skills: skills.remove(&id).unwrap_or_default(),
            lacks_skill: None,
            hours: hours.as_deref().map(profile::parse_hours).transpose()?,
        };
        out.insert(UserId(id), facts);
    }
    Ok(out)
}

/// Owned and won customers of each of `users` (none read when there are none).
async fn owned_counts(
    tx: &mut Tx,
    users: &[UserId],
) -> Result<HashMap<i64, (i64, i64)>, StoreError> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let mut q = Query::new(
        "select u.id, \
         (select count(*) from customers c where c.owner_id = u.id and c.merged_into is null), \
         (select count(*) from customers c \
          where c.owner_id = u.id and c.won_at is not null and c.merged_into is null) \
         from users u where u.id in (",
    );
    push_ids(&mut q, users);
    let rows: Vec<(i64, i64, i64)> = tx.all(&q).await?;
    Ok(rows.into_iter().map(|(u, o, w)| (u, (o, w))).collect())
}

/// Open (assigned, unanswered or not) leads of each of `users`.
async fn open_counts(tx: &mut Tx, users: &[UserId]) -> Result<HashMap<i64, i64>, StoreError> {
    let mut q = Query::new(
        "select assigned_to, count(*) from leads where status = 'assigned' and assigned_to in (",
    );
    push_ids(&mut q, users);
    q.push(" group by assigned_to");
    let rows: Vec<(i64, i64)> = tx.all(&q).await?;
    Ok(rows.into_iter().collect())
}

/// Appends the ids of `users` and the closing parenthesis of an `in (` list.
pub(super) fn push_ids(q: &mut Query, users: &[UserId]) {
    q.push_list(users.iter().map(|u| u.0)).push(")");
}

/// Leave not yet over, per user.
async fn leaves(
    tx: &mut Tx,
    users: &[UserId],
    now: DateTime<Utc>,
    feed_leave: bool,
) -> Result<HashMap<i64, Vec<Leave>>, StoreError> {
    let mut q = Query::new("select user_id, starts_at, ends_at from leaves where ends_at > ");
    q.push_bind(micros(now))
        .push(" and (")
        .push_bind(feed_leave)
        .push(" or source <> 'feed') and user_id in (");
    push_ids(&mut q, users);
    let rows: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = tx.all(&q).await?;
    let mut out: HashMap<i64, Vec<Leave>> = HashMap::new();
    for (user, from, until) in rows {
        out.entry(user).or_default().push(Leave { from, until });
    }
    Ok(out)
}

/// Median minutes from assignment to first response over each user's last
/// [`TRACK_RESPONSES`] answered leads.
async fn medians(tx: &mut Tx, users: &[UserId]) -> Result<HashMap<i64, u32>, StoreError> {
    let mut q = Query::new(
        "select assigned_to, assigned_at, responded_at from (select assigned_to, \
         assigned_at, responded_at, row_number() over (partition by assigned_to \
         order by responded_at desc) as n from leads where responded_at is not null \
         and assigned_at is not null and assigned_to in (",
    );
    push_ids(&mut q, users);
    q.push(") r where n <= ").push(TRACK_RESPONSES);
    let rows: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = tx.all(&q).await?;
    let mut minutes: HashMap<i64, Vec<i64>> = HashMap::new();
    for (user, at, answered) in rows {
        minutes
            .entry(user)
            .or_default()
            .push((answered - at).num_minutes().max(0));
    }
    Ok(minutes
        .into_iter()
        .map(|(user, mut m)| {
            m.sort_unstable();
            (user, u32::try_from(m[m.len() / 2]).unwrap_or(u32::MAX))
        })
        .collect())
}

/// Deals won and closed on each user's customers in the last [`TRACK_DEAL_DAYS`] days.
async fn deals(
    tx: &mut Tx,
    users: &[UserId],
    now: DateTime<Utc>,
) -> Result<HashMap<i64, (i64, i64)>, StoreError> {
    let mut q = Query::new(
        "select c.owner_id, coalesce(sum(case when d.stage = 'won' then 1 else 0 end), 0), \
         count(*) from deals d join customers c on c.id = d.customer_id \
         where d.closed_at is not null and d.closed_at >= ",
    );
    q.push_bind(micros(now - Duration::days(TRACK_DEAL_DAYS)))
        .push(" and c.owner_id in (");
    push_ids(&mut q, users);
    q.push(" group by c.owner_id");
    let rows: Vec<(i64, i64, i64)> = tx.all(&q).await?;
    Ok(rows.into_iter().map(|(u, w, n)| (u, (w, n))).collect())
}

/// The last owner of `customer` while it sits in a pool, when they released it or lost it to a
/// recycle, with that pool's re-claim ban: whom a lead of it may go back to.
pub(super) async fn former_owner(
    tx: &mut Tx,
    customer: CustomerId,
) -> Result<Option<FormerOwner>, StoreError> {
    type Row = (Option<i64>, DateTime<Utc>, Option<String>);
    let q = Query::new(
        "select e.from_user, e.at, p.rules from customers c \
         join ownership_events e on e.customer_id = c.id left join pools p on p.id = c.pool_id \
         where c.id = $1 and c.owner_id is null and c.merged_into is null \
         and e.kind in ('release', 'recycle') order by e.at desc, e.id desc limit 1",
    )
    .bind(customer.0);
    let row: Option<Row> = tx.opt(&q).await?;
    let Some((Some(user), lost_at, rules)) = row else {
        return Ok(None);
    };
    let rules = rules
        .as_deref()
        .map_or_else(|| Ok(PoolRules::default()), parse_rules)?;
    Ok(Some(FormerOwner {
        user: UserId(user),
        lost_at,
        ban_days: rules.claim.reclaim_ban_days,
    }))
}

/// The active reps of a team's subtree, by name: a team target's reps at an instant.
const TEAM_REPS: &str = "select u.id from users u join teams t on t.id = u.team_id, teams top \
     where top.id = $1 and t.path like top.path || '%' and u.role = 'rep' and u.active \
     order by u.name, u.id";

fn target_reps(ids: Vec<i64>) -> Vec<TargetRep> {
    ids.into_iter()
        .map(|id| TargetRep {
            user: UserId(id),
            weight: None,
        })
        .collect()
}

/// [`TEAM_REPS`] inside the routing transaction.
pub(super) async fn team_reps(tx: &mut Tx, team: TeamId) -> Result<Vec<TargetRep>, StoreError> {
    let ids: Vec<(i64,)> = tx.all(&Query::new(TEAM_REPS).bind(team.0)).await?;
    Ok(target_reps(ids.into_iter().map(|(id,)| id).collect()))
}

impl Store {
    /// Fills every team target of `rules` with the team's active reps now, as routing does at
    /// each lead (the simulator's replay needs them up front).
    pub async fn expand_team_targets(&self, rules: &mut [RoutingRule]) -> Result<(), StoreError> {
        for rule in rules {
            if let Some(team) = rule.target.team {
                let ids: Vec<i64> = on_db!(&self.db, |p| sqlx::query_scalar(TEAM_REPS)
                    .bind(team.0)
                    .fetch_all(p)
                    .await)?;
                rule.target.reps = target_reps(ids);
            }
        }
        Ok(())
    }
}
