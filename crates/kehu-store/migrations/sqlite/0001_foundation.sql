-- Foundation schema (SQLite). The PostgreSQL twin has the same tables, columns and
-- indexes; only types differ (integer ids, TEXT timestamps in RFC 3339 UTC).

-- Teams form a tree. `path` is materialised ('/1/4/') so "every team under mine" is one
-- LIKE-prefix comparison, the same on both engines.
create table teams (
    id integer primary key,
    name text not null unique,
    parent_id integer references teams(id),
    path text not null,
    manager_id integer,
    created_at text not null
);
create index teams_path on teams(path);

create table users (
    id integer primary key,
    login text not null unique,
    name text not null,
    role text not null check (role in ('admin', 'manager', 'rep')),
    team_id integer references teams(id),
    password_hash text not null,
    active boolean not null default 1,
    created_at text not null
);
create index users_team on users(team_id);

-- A customer's owner_id is a projection of the ownership ledger, written only by
-- kehu-store's ownership::apply in the same transaction as its event.
create table customers (
    id integer primary key,
    name text not null,
    name_normalized text not null,
    phone text not null,
    phone_ext text,
    source text not null,
    intent text not null,
    grade text,
    industry text,
    province text,
    city text,
    next_follow_up_at text,
    owner_id integer references users(id),
    owner_since text not null,
    version integer not null default 0,
    created_by integer not null references users(id),
    created_at text not null,
    updated_at text not null
);
-- "My customers", newest first: one range scan.
create index customers_owner on customers(owner_id, id);
-- The pool: a partial index holds only unowned rows.
create index customers_pool on customers(id) where owner_id is null;
create index customers_phone on customers(phone);

create table contacts (
    id integer primary key,
    customer_id integer not null references customers(id) on delete cascade,
    name text not null,
    phone text,
    phone_ext text,
    title text,
    created_at text not null
);
create index contacts_customer on contacts(customer_id);

-- 协作人: read or write access for named colleagues; the owner stays one.
create table collaborators (
    customer_id integer not null references customers(id) on delete cascade,
    user_id integer not null references users(id),
    access text not null check (access in ('read', 'write')),
    granted_by integer not null references users(id),
    granted_at text not null,
    primary key (customer_id, user_id)
);
create index collaborators_user on collaborators(user_id);

-- 归属流水: append-only. Nothing updates or deletes these rows.
create table ownership_events (
    id integer primary key,
    customer_id integer not null references customers(id),
    kind text not null,
    from_user integer references users(id),
    to_user integer references users(id),
    by_user integer not null references users(id),
    reason text,
    rule text,
    at text not null
);
create index ownership_events_customer on ownership_events(customer_id, at, id);

-- Field changes, one row per field, for "who changed the phone and when".
create table audit_log (
    id integer primary key,
    at text not null,
    actor_id integer not null references users(id),
    entity text not null,
    entity_id integer not null,
    field text not null,
    old_value text,
    new_value text
);
create index audit_log_entity on audit_log(entity, entity_id, id);

-- Server-side sessions; the cookie holds the token, the table its SHA-256.
create table sessions (
    token_hash text primary key,
    user_id integer not null references users(id) on delete cascade,
    csrf_token text not null,
    created_at text not null,
    expires_at text not null
);
create index sessions_user on sessions(user_id);

create table api_tokens (
    id integer primary key,
    user_id integer not null references users(id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    created_at text not null,
    revoked_at text
);
