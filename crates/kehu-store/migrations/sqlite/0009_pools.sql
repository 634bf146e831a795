-- 公海: several pools, each with its members, whitelist and rules. A customer without an
-- owner is in exactly one pool (`customers.pool_id`); an owned customer is in none.
create table pools (
    id integer primary key,
    name text not null unique,
    -- JSON of kehu_domain::pool::PoolRules (missing fields take their defaults).
    rules text not null,
    -- The pool released customers go to when the owner's team has no pool of its own.
    is_default boolean not null default 0,
    created_at text not null,
    updated_at text not null
);
create unique index pools_one_default on pools(is_default) where is_default;

-- Teams whose members (and their subteams') see and claim from a pool. A pool without
-- member teams is open to everybody.
create table pool_members (
    pool_id integer not null references pools(id) on delete cascade,
    team_id integer not null references teams(id),
    primary key (pool_id, team_id)
);
create index pool_members_team on pool_members(team_id);

-- Reps whose customers this pool's rules never recycle.
create table pool_whitelist (
    pool_id integer not null references pools(id) on delete cascade,
    user_id integer not null references users(id),
    primary key (pool_id, user_id)
);

alter table customers add column pool_id integer references pools(id);
-- 锁定: the owner exempts it from recycling (up to the pool's lock limit).
alter table customers add column locked boolean not null default 0;
-- A pool's list: one range per pool, newest first.
create index customers_in_pool on customers(pool_id, id) where owner_id is null;
create index customers_locked on customers(owner_id) where locked;
-- A rep's claims since the start of the day/week/month: one index range.
create index ownership_events_to_user on ownership_events(to_user, kind, at);
-- A former owner's last loss of a customer (the re-claim ban).
create index ownership_events_from_user on ownership_events(customer_id, from_user, at);

insert into pools (name, rules, is_default, created_at, updated_at)
values ('公海', '{}', 1, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
update customers set pool_id = (select id from pools where is_default) where owner_id is null;
