-- A hand-over outlives the instance running it. The runner holds a lease on the row and renews
-- it with every progress write; a `running` hand-over whose lease ran out was abandoned (its
-- instance died) and another instance takes it over with a compare-and-set on the lease, then
-- carries on from `next_move` in the stored plan, so every customer is moved once.

-- The plan as started: JSON array of [customer id, new owner id or null for the pool].
-- Null on rows from before this migration (they are re-planned from `target`).
alter table handovers add column moves text;
-- How many planned moves were done at the last progress write: where a resumed run starts.
alter table handovers add column next_move bigint not null default 0;
-- The run holding the lease (a random token per run) and until when. A running row without a
-- lease is from before this migration and counts as abandoned.
alter table handovers add column lease_token text;
alter table handovers add column lease_until timestamptz;
-- "Which hand-overs were abandoned": only running rows are indexed.
create index handovers_running on handovers(lease_until) where status = 'running';
