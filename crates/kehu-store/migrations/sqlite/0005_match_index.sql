-- 查重 at the door: the fuzzy matcher's blocking keys of every customer, so the check on
-- create finds its candidates with a few index range lookups (one per key, each stopped at
-- the key's cap) instead of a scan. Rows are derived data: written with the customer in the
-- same transaction, and rebuilt at startup when the blocking rules change (the version in
-- match_index_meta differs from the code's).
create table match_keys (
    -- The blocking key: a 64-bit hash whose top four bits are its kind.
    key integer not null,
    customer_id integer not null references customers(id) on delete cascade,
    -- Role A pairs with everyone under the key, role B only with role A.
    role_a boolean not null,
    primary key (key, customer_id)
) without rowid;
create index match_keys_customer on match_keys(customer_id);

-- What the match index was built with (`version`), and when.
create table match_index_meta (
    name text primary key,
    value text not null
);

-- "This is a different customer": a rep saved `customer_id` although the check found it
-- similar to `other_id`; what was shown (score, reasons) is kept as it was shown.
create table distinct_confirmations (
    id integer primary key,
    customer_id integer not null references customers(id) on delete cascade,
    other_id integer not null references customers(id) on delete cascade,
    confirmed_by integer not null references users(id),
    confirmed_at text not null,
    score real not null,
    -- JSON array of the matcher's reasons: [{"code": "company_name_similar", "similarity": 0.94}, …]
    reasons text not null
);
create index distinct_confirmations_customer on distinct_confirmations(customer_id, id);
create index distinct_confirmations_other on distinct_confirmations(other_id);
