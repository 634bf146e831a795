-- People around a customer: notifications (通知), the reveal log (查看记录), appeal
-- statements, evidence files and decisions (申诉/仲裁).

-- One row per recipient and event, written in the transaction of the event, so a
-- notification exists if and only if its event does. `params` is a JSON object of the
-- names the message shows (customer, by, from, to …), frozen when the event happened.
create table notifications (
    id integer primary key,
    user_id integer not null references users(id) on delete cascade,
    kind text not null,
    customer_id integer references customers(id) on delete cascade,
    params text not null,
    created_at text not null,
    read_at text
);
-- The header's unread count and the inbox: one range scan per user.
create index notifications_user on notifications(user_id, id);
create index notifications_unread on notifications(user_id) where read_at is null;

-- Every unmasked view of a customer's contact data by someone other than its owner.
create table reveal_log (
    id integer primary key,
    customer_id integer not null references customers(id) on delete cascade,
    viewer_id integer not null references users(id),
    -- What was shown: 'phone' (with the contacts' phones).
    field text not null,
    -- Where: 'page' or 'api'.
    via text not null,
    at text not null
);
create index reveal_log_customer on reveal_log(customer_id, at);

-- Appeals live in access_requests (kind 'appeal'); collaboration requests are granted or
-- declined there too. status: open → decided (appeal) | granted | declined.
alter table access_requests add column statement text;
-- The owner the appeal was filed against.
alter table access_requests add column against_id integer references users(id);
-- keep | transfer | split (transfer with a credit split).
alter table access_requests add column decision text;
alter table access_requests add column decided_by integer references users(id);
alter table access_requests add column decided_at text;
alter table access_requests add column decision_note text;
-- Credit split in percent: the appellant's share; the former owner keeps the rest.
alter table access_requests add column appellant_share integer;

-- Evidence files of an appeal, in the database so a backup holds everything. Limits are
-- enforced by kehu-store (5 files, 5 MiB each); the check is the last line of defence.
create table appeal_evidence (
    id integer primary key,
    request_id integer not null references access_requests(id) on delete cascade,
    name text not null,
    content_type text not null,
    size integer not null check (size <= 5242880),
    data blob not null,
    created_at text not null
);
create index appeal_evidence_request on appeal_evidence(request_id, id);
