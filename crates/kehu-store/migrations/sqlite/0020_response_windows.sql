-- 黄金响应窗口: each lead source's response window and escalation ladder, each lead's clock,
-- and the lead's own ledger of what happened to it. The PostgreSQL twin has the same tables,
-- columns and indexes; only types differ.

-- The window and its ladder as JSON (kehu_domain::lead::ResponseWindow); null: no window.
alter table lead_sources add column response_window text;

-- The clock of an assigned lead: when the window closes (`window_due_at`, for the countdown),
-- how many ladder steps were taken, and when the next one falls due (`next_step_at`; null
-- when answered, when the source has no window, or when the ladder is done). The escalation
-- job reads only rows whose next step is due, through the partial index.
alter table leads add column responded_at text;
alter table leads add column window_due_at text;
alter table leads add column ladder_step integer not null default 0;
alter table leads add column next_step_at text;
create index leads_next_step on leads(next_step_at) where next_step_at is not null;

-- Append-only history of a lead (线索流水): assigned, reminded, manager told, reassigned,
-- answered. `by_user` null means the system (the escalation job).
create table lead_events (
    id integer primary key,
    lead_id integer not null references leads(id),
    kind text not null,
    at text not null,
    by_user integer references users(id),
    from_user integer references users(id),
    to_user integer references users(id),
    -- The ladder step taken (0-based), for steps.
    step integer,
    note text
);
create index lead_events_lead on lead_events(lead_id, id);
