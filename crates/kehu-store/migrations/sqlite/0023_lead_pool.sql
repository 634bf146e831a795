-- 认领池: a lead routed to a team's lead pool waits there (status 'pooled') until one of
-- the team's reps claims it. The PostgreSQL twin has the same column and index.
alter table leads add column pool_team_id integer references teams(id);
-- A team's waiting leads, oldest first.
create index leads_pool on leads(pool_team_id, id) where status = 'pooled';
