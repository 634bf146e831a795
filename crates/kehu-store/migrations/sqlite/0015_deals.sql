-- 商机: sales opportunities on a customer. A deal moves through the ordered open stages
-- (contact → needs → proposal → negotiation) and closes as won or lost, for good
-- (kehu_domain::deal). Amounts are whole fen (分) so no float ever rounds a price.
create table deals (
    id integer primary key,
    customer_id integer not null references customers(id) on delete cascade,
    title text not null,
    amount_fen integer check (amount_fen >= 0),
    stage text not null
        check (stage in ('contact', 'needs', 'proposal', 'negotiation', 'won', 'lost')),
    expected_close_date text,
    -- Required when lost (the domain refuses a loss without one), null otherwise.
    lost_reason text,
    created_by integer not null references users(id),
    created_at text not null,
    -- When it was won or lost; null while open.
    closed_at text,
    updated_at text not null
);
-- A customer's deals, in order: one range scan.
create index deals_customer on deals(customer_id, id);

-- Every stage a deal entered (its creation too, with from_stage null), append-only: the deal's
-- history, with skips and backward moves readable from the stage order.
create table deal_events (
    id integer primary key,
    deal_id integer not null references deals(id) on delete cascade,
    customer_id integer not null references customers(id) on delete cascade,
    from_stage text,
    to_stage text not null,
    -- The lost reason, for a move to lost.
    reason text,
    by_user integer not null references users(id),
    at text not null
);
create index deal_events_customer on deal_events(customer_id, at, id);

-- Projections of a customer's deals, written in the transaction of every deal write, so the
-- recycle judge and the ownership cap read them from the customer row without a join:
-- open_deals: deals neither won nor lost; won_at: when a deal was first won;
-- deal_lost_at: when a deal was last lost, null while (or once again) a deal is open;
-- last_progress_at: the last deal created or moved to another stage.
alter table customers add column open_deals integer not null default 0;
alter table customers add column won_at text;
alter table customers add column deal_lost_at text;
alter table customers add column last_progress_at text;
-- A rep's won customers, for an ownership cap that does not count them.
create index customers_owner_won on customers(owner_id) where won_at is not null;
