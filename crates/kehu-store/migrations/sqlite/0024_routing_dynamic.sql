-- The dynamic strategy's factor weights of a routing rule, JSON
-- (kehu_domain::routing::DynamicWeights); null for other strategies or the defaults.
alter table routing_rules add column dynamic text;
