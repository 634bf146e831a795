-- 交接: moving all of a departing rep's customers, one customer per transaction. The row is
-- the progress every instance can show while it runs, and the report when it is done.
create table handovers (
    id integer primary key,
    from_user integer not null references users(id),
    -- JSON of the target (`{"to":"rep","user_id":3}`, `{"to":"spread",…}`, `{"to":"pool"}`).
    target text not null,
    reason text not null,
    total integer not null,
    moved integer not null default 0,
    -- JSON array of {customer_id, reason} for customers that could not move.
    skipped text not null default '[]',
    status text not null check (status in ('running', 'done')),
    started_by integer not null references users(id),
    started_at text not null,
    finished_at text
);
create index handovers_from on handovers(from_user, id);
