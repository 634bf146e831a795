-- 跟进记录: what reps log after touching a customer. `effective` is judged when written, by
-- the rules in force then (kept in `unmet` as the list of rules it missed), so changing the
-- rules later never rewrites history.
create table follow_ups (
    id integer primary key,
    customer_id integer not null references customers(id) on delete cascade,
    author_id integer not null references users(id),
    kind text not null check (kind in ('call', 'visit', 'wechat', 'email', 'meeting', 'note')),
    content text not null,
    -- JSON array of tags.
    tags text not null,
    duration_secs integer,
    contact_id integer references contacts(id) on delete set null,
    effective boolean not null,
    -- JSON array of the rules it missed ([] when effective).
    unmet text not null,
    next_follow_up_at text,
    at text not null
);
create index follow_ups_customer on follow_ups(customer_id, at, id);

-- The owner's last effective follow-up, a projection the recycle rules read without a join.
alter table customers add column last_effective_follow_up_at text;

-- Admin-configured rules (effectiveness per kind, protection periods …): one JSON value a name.
create table settings (
    name text primary key,
    value text not null,
    updated_by integer references users(id),
    updated_at text not null
);
