-- 线索分配: the ordered routing rules and each rule's strategy state. The PostgreSQL twin
-- has the same tables and columns; only types differ.

-- One row per rule; `position` orders the list. Criteria, target and strategy are JSON
-- (kehu_domain::routing::RoutingRule). An admin replaces the whole list at once.
create table routing_rules (
    id integer primary key,
    position integer not null unique,
    name text not null,
    criteria text not null,
    target text not null,
    strategy text not null,
    active boolean not null,
    updated_at text not null
);

-- A rule's strategy state (round-robin cursor, current weights) as JSON. `version` grows with
-- every write; routing updates it compare-and-set in the assignment's transaction, so two
-- instances routing at once never both advance from the same state.
create table routing_state (
    rule_id integer primary key references routing_rules(id),
    state text not null,
    version integer not null
);

-- The routing decision (kehu_domain::routing::RoutingExplanation), JSON; null until routed.
alter table leads add column routing text;
