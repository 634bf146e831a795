-- 线索 (leads): inbound inquiries, their sources and intake tokens, and the keys that tell
-- whether a new lead is the same person as an open one. The PostgreSQL twin has the same
-- tables, columns and indexes; only types differ.

-- 线索来源: where leads come from (官网表单, 抖音, 展会, 电话 …). Admins manage them.
create table lead_sources (
    id integer primary key,
    -- A short stable code for integrations and reports (`web_form`).
    code text not null unique,
    name text not null,
    -- An inactive source's tokens no longer authenticate.
    active boolean not null default 1,
    created_by integer not null references users(id),
    created_at text not null
);

-- Intake tokens, one or more per source. Only the SHA-256 of the secret is stored; the
-- secret is shown once when the token is created.
create table lead_source_tokens (
    id integer primary key,
    source_id integer not null references lead_sources(id),
    name text not null,
    token_hash text not null unique,
    -- Accepted intake requests per minute (per instance; see the server's intake limiter).
    rate_per_minute integer not null check (rate_per_minute > 0),
    created_by integer not null references users(id),
    created_at text not null,
    revoked_at text
);
create index lead_source_tokens_source on lead_source_tokens(source_id, id);

-- One row per inquiry. The intake columns (`outcome`, `explanation`, the payload) are
-- written once; `status`, `assigned_to` and `assigned_at` are the current state, which
-- routing will change later. Statuses: unrouted, assigned, duplicate (kehu_domain::lead).
create table leads (
    id integer primary key,
    source_id integer not null references lead_sources(id),
    -- The sender's Idempotency-Key: unique per source, so a retried request finds its lead
    -- and two identical requests at once insert one row (the unique index decides).
    idempotency_key text not null,
    -- SHA-256 of the normalised payload: the same key with another body is refused.
    fingerprint text not null,
    -- Who sent it: a source token, or a user entering it by hand.
    token_id integer references lead_source_tokens(id),
    entered_by integer references users(id),
    company text,
    contact_name text,
    -- E.164, extension apart.
    phone text,
    phone_ext text,
    email text,
    wechat text,
    credit_code text,
    province text,
    city text,
    message text,
    -- The sender's free-form fields, a JSON object (bounded in size by the domain).
    extra text,
    status text not null,
    assigned_to integer references users(id),
    assigned_at text,
    -- The existing customer the lead matched, if any.
    customer_id integer references customers(id),
    -- The open lead of the same person this one joined.
    duplicate_of integer references leads(id),
    -- What intake decided (assigned_owner, duplicate, unrouted) and why, as JSON.
    outcome text not null,
    explanation text not null,
    received_at text not null,
    unique (source_id, idempotency_key)
);
-- "My leads", newest first.
create index leads_assigned on leads(assigned_to, id);
-- Leads awaiting routing, oldest first.
create index leads_status on leads(status, id);
create index leads_customer on leads(customer_id);

-- The normalised mobile, e-mail and WeChat of leads. A key is `is_open` while its lead is the
-- open lead of that person: the partial UNIQUE index lets one open lead hold a key, so two
-- leads of one person arriving at once cannot both become open leads (the loser retries and
-- joins the winner as its duplicate). Routing closes keys when it closes a lead.
create table lead_keys (
    lead_id integer not null references leads(id),
    kind text not null check (kind in ('mobile', 'email', 'wechat')),
    value text not null,
    is_open boolean not null
);
create unique index lead_keys_open on lead_keys(kind, value) where is_open;
create index lead_keys_lead on lead_keys(lead_id);
