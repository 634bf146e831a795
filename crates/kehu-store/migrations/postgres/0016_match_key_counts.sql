-- How many postings each blocking key has in match_keys, so the check at the door skips a
-- key over its kind's cap with one primary-key read instead of counting its posting list
-- (up to 400 index entries for a common bigram). Derived data: written in the same
-- transaction as the match_keys rows it counts (both roles), by the code that writes them.
create table match_key_counts (
    -- The blocking key, as in match_keys.
    key bigint primary key,
    -- Postings under the key; a key whose postings are all gone stays with 0.
    n bigint not null
);

-- Backfill from the rows already indexed.
insert into match_key_counts (key, n) select key, count(*) from match_keys group by key;
