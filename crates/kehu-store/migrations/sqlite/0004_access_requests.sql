-- 协作申请 / 申诉: a rep who meets another rep's customer at the door (the duplicate check)
-- asks to be added as a collaborator, or files an appeal. Recorded here and shown to the
-- owner; deciding appeals comes with the ownership rules.
create table access_requests (
    id integer primary key,
    customer_id integer not null references customers(id) on delete cascade,
    requester_id integer not null references users(id),
    kind text not null check (kind in ('collaboration', 'appeal')),
    note text,
    status text not null default 'open',
    created_at text not null
);
create index access_requests_customer on access_requests(customer_id, status);
-- One open request of a kind per rep and customer: pressing the button twice asks once.
create unique index access_requests_open on access_requests(customer_id, requester_id, kind)
    where status = 'open';
