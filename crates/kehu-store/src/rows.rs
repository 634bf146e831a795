//! Store-side row structs and their conversion into domain types.

use crate::error::StoreError;
use chrono::{DateTime, Utc};
use kehu_domain::access::CollaboratorAccess;
use kehu_domain::customer::{Customer, Grade, IntentLevel, Phone, Source};
use kehu_domain::ids::{CustomerId, TeamId, UserId};
use kehu_domain::ownership::{LedgerEntry, LedgerKind};
use kehu_domain::{Actor, Role};

/// Whether pool `$pool` (of customer `c`: `c.pool_id`) is open to actor `$1`: a pool without member teams is open to all; otherwise to
/// admins, to members of a member team's subtree, and to managers above a member team.
macro_rules! pool_open {
    ($pool:literal) => {
        concat!(
            "(",
            $pool,
            " is null \
         or not exists (select 1 from pool_members pm where pm.pool_id = ",
            $pool,
            ") \
         or exists (select 1 from users pu where pu.id = $1 and pu.role = 'admin') \
         or exists (select 1 from pool_members pm join teams pt on pt.id = pm.team_id, \
            users pu join teams put on put.id = pu.team_id \
            where pm.pool_id = ",
            $pool,
            " and pu.id = $1 and (put.path like pt.path || '%' \
            or (pu.role = 'manager' and pt.path like put.path || '%'))))"
        )
    };
}
pub(crate) use pool_open;

/// `select … from …` of every customer query, with the owner's name and team path joined,
/// and the pool it is in (with whether that pool is open to actor `$1`).
macro_rules! customer_select {
    () => {
        concat!(
            "select c.id, c.name, c.phone, c.phone_ext, c.source, c.intent, c.grade, c.credit_code, \
         c.industry, c.province, c.city, c.next_follow_up_at, c.owner_id, o.name as owner_name, \
         ot.path as owner_team_path, c.owner_since, c.version, c.created_at, c.updated_at, \
         (select k.access from collaborators k where k.customer_id = c.id and k.user_id = $1) as collab, \
         c.pool_id, pl.name as pool_name, c.locked, ",
            $crate::rows::pool_open!("c.pool_id"),
            " as pool_open \
         from customers c left join users o on o.id = c.owner_id \
         left join teams ot on ot.id = o.team_id left join pools pl on pl.id = c.pool_id "
        )
    };
}
pub(crate) use customer_select;

/// Record-level read filter, the same rules as `kehu_domain::access::visibility`: a pool
/// open to the actor, own, manager subtree (admins bind `%`), or collaborator. Binds `$1` = actor, `$2` =
/// scope pattern. The pattern is `$2 || ''`, not a bare parameter: SQLite re-prepares a
/// statement on every new binding of a bare LIKE pattern (it may change the plan), which
/// cost more than the read itself.
macro_rules! read_filter {
    () => {
        concat!(
            "((c.owner_id is null and ",
            $crate::rows::pool_open!("c.pool_id"),
            ") or c.owner_id = $1 or ot.path like ($2 || '') \
         or exists (select 1 from collaborators k where k.customer_id = c.id and k.user_id = $1))"
        )
    };
}
pub(crate) use read_filter;

#[derive(sqlx::FromRow)]
pub(crate) struct CustomerRow {
    id: i64,
    name: String,
    phone: String,
    phone_ext: Option<String>,
    source: String,
    intent: String,
    grade: Option<String>,
    credit_code: Option<String>,
    industry: Option<String>,
    province: Option<String>,
    city: Option<String>,
    next_follow_up_at: Option<DateTime<Utc>>,
    owner_id: Option<i64>,
    owner_name: Option<String>,
    owner_team_path: Option<String>,
    owner_since: DateTime<Utc>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// The reading actor's collaborator grant.
    pub collab: Option<String>,
    /// The pool an unowned customer is in.
    pub pool_id: Option<i64>,
    /// Its name.
    pub pool_name: Option<String>,
    /// Locked by its owner against recycling.
    pub locked: bool,
    /// Whether that pool is open to the reading actor.
    pub pool_open: bool,
}

impl CustomerRow {
    /// The row as a direct reader reads it, by [`customer_select`]'s column names.
    pub(crate) fn from_direct(r: &rusqlite::Row<'_>) -> rusqlite::Result<CustomerRow> {
        use crate::db::direct::Ts;
        let ts = |name: &str| r.get::<_, Ts>(name).map(|t| t.0);
        Ok(CustomerRow {
            id: r.get("id")?,
            name: r.get("name")?,
            phone: r.get("phone")?,
            phone_ext: r.get("phone_ext")?,
            source: r.get("source")?,
            intent: r.get("intent")?,
            grade: r.get("grade")?,
            credit_code: r.get("credit_code")?,
            industry: r.get("industry")?,
            province: r.get("province")?,
            city: r.get("city")?,
            next_follow_up_at: r.get::<_, Option<Ts>>("next_follow_up_at")?.map(|t| t.0),
            owner_id: r.get("owner_id")?,
            owner_name: r.get("owner_name")?,
            owner_team_path: r.get("owner_team_path")?,
            owner_since: ts("owner_since")?,
            version: r.get("version")?,
            created_at: ts("created_at")?,
            updated_at: ts("updated_at")?,
            collab: r.get("collab")?,
            pool_id: r.get("pool_id")?,
            pool_name: r.get("pool_name")?,
            locked: r.get("locked")?,
            pool_open: r.get("pool_open")?,
        })
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} = {value:?}"))
}

impl TryFrom<CustomerRow> for Customer {
    type Error = StoreError;

    fn try_from(r: CustomerRow) -> Result<Self, StoreError> {
        Ok(Customer {
            id: CustomerId(r.id),
            source: Source::parse(&r.source).map_err(|_| corrupt("source", &r.source))?,
            intent: IntentLevel::parse(&r.intent).map_err(|_| corrupt("intent", &r.intent))?,
            grade: match r.grade {
                Some(g) => Some(Grade::parse(&g).map_err(|_| corrupt("grade", &g))?),
                None => None,
            },
            credit_code: r.credit_code,
            name: r.name,
            phone: Phone::from_stored(r.phone, r.phone_ext),
            industry: r.industry,
            province: r.province,
            city: r.city,
            next_follow_up_at: r.next_follow_up_at,
            owner_id: r.owner_id.map(UserId),
            owner_name: r.owner_name,
            owner_team_path: r.owner_team_path,
            owner_since: r.owner_since,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ActorRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub team_id: Option<i64>,
    pub team_path: Option<String>,
}

impl ActorRow {
    /// The row as a direct reader reads it (columns in [`ActorRow`]'s order).
    pub(crate) fn from_direct(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActorRow> {
        Ok(ActorRow {
            id: r.get(0)?,
            name: r.get(1)?,
            role: r.get(2)?,
            team_id: r.get(3)?,
            team_path: r.get(4)?,
        })
    }
}

impl TryFrom<ActorRow> for Actor {
    type Error = StoreError;

    fn try_from(r: ActorRow) -> Result<Self, StoreError> {
        Ok(Actor {
            user_id: UserId(r.id),
            role: Role::parse(&r.role).ok_or_else(|| corrupt("role", &r.role))?,
            name: r.name,
            team_id: r.team_id.map(TeamId),
            team_path: r.team_path,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LedgerRow {
    id: i64,
    customer_id: i64,
    kind: String,
    from_user: Option<i64>,
    from_name: Option<String>,
    to_user: Option<i64>,
    to_name: Option<String>,
    by_user: i64,
    by_name: String,
    reason: Option<String>,
    rule: Option<String>,
    at: DateTime<Utc>,
}

impl TryFrom<LedgerRow> for LedgerEntry {
    type Error = StoreError;

    fn try_from(r: LedgerRow) -> Result<Self, StoreError> {
        Ok(LedgerEntry {
            id: r.id,
            customer_id: CustomerId(r.customer_id),
            kind: LedgerKind::parse(&r.kind).ok_or_else(|| corrupt("kind", &r.kind))?,
            from_user: r.from_user.map(UserId),
            from_name: r.from_name,
            to_user: r.to_user.map(UserId),
            to_name: r.to_name,
            by_user: UserId(r.by_user),
            by_name: r.by_name,
            reason: r.reason,
            rule: r.rule,
            at: r.at,
        })
    }
}

pub(crate) fn collaborator_access(code: Option<&str>) -> Option<CollaboratorAccess> {
    match code {
        Some("write") => Some(CollaboratorAccess::Write),
        Some(_) => Some(CollaboratorAccess::Read),
        None => None,
    }
}

/// Timestamps are kept to the microsecond, PostgreSQL's resolution, so a value read back
/// equals the value written on both engines.
pub(crate) fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::{DurationRound, TimeDelta};
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}
