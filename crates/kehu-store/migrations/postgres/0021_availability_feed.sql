-- 可用性: the state of the HR availability feed, one row. Its leave lives in `leaves` with
-- source 'feed'. The SQLite twin has the same table and columns; only types differ.
create table availability_feed (
    id bigint primary key check (id = 1),
    -- The last accepted push, and how many records it carried.
    last_ok_at timestamptz,
    records bigint not null default 0,
    -- The first failing push since the last accepted one, and its field errors (JSON).
    failing_since timestamptz,
    last_error text,
    -- The last good push a "stale" alert was sent for: one alert per stale period, however
    -- many instances run the job.
    stale_alerted_for timestamptz
);
