-- 合并: duplicate customers merged into one kept record. A merged record stays (its id must
-- still resolve, its ledger stays append-only) but points at the record it was merged into;
-- lists, searches and duplicate checks skip it.
alter table customers add column merged_into integer references customers(id);
create index customers_merged_into on customers(merged_into) where merged_into is not null;

create table merges (
    id integer primary key,
    kept_id integer not null references customers(id),
    -- JSON array of the merged records' ids, e.g. [12, 31].
    merged_ids text not null,
    by_user integer not null references users(id),
    at text not null,
    reason text,
    -- JSON: every record's fields before the merge, the kept record's fields after it, and
    -- the rows moved to the kept record (contacts, collaborators, requests, …), so an admin
    -- can undo the merge. Text on both engines, so one SQL text binds it.
    snapshot text not null,
    reverted_at text,
    reverted_by integer references users(id)
);
create index merges_kept on merges(kept_id, id);
