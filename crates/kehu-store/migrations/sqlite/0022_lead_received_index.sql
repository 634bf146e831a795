-- The routing simulator reads the leads received in a date range in arrival order: one range
-- scan of this index, already in order (`id` breaks ties between leads of one instant). The
-- PostgreSQL twin has the same index.
create index leads_received on leads(received_at, id);
