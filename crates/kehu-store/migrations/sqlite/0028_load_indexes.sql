-- A rep's load — customers owned, won ones, open leads — counted from an index alone.
-- Routing counts it for every candidate of every lead, a claim for the claimer; with only
-- `leads_status` a count walked every assigned lead of the organisation per rep, and the
-- customer counts read each owned row to test `merged_into`.
create index customers_owned on customers(owner_id) where merged_into is null;
drop index customers_owner_won;
create index customers_owner_won on customers(owner_id)
    where won_at is not null and merged_into is null;
create index leads_open_assigned on leads(assigned_to) where status = 'assigned';
