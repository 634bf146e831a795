-- The system user: who automatic owner changes (recycles) are by, in the ledger. It cannot log
-- in (inactive, no password) and is not counted or listed as a person.
insert into users (login, name, role, team_id, password_hash, active, created_at)
values ('_system', '系统', 'admin', null, '!', false, now());

-- A recycle warning is sent once per customer, owner and due time, however often the job runs
-- and on however many instances.
create table recycle_warnings (
    customer_id bigint not null references customers(id) on delete cascade,
    owner_id bigint not null references users(id),
    due timestamptz not null,
    warned_at timestamptz not null,
    primary key (customer_id, owner_id, due)
);
