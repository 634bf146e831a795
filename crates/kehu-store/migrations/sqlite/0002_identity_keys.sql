-- 查重: every customer's identity keys (normalised phone, e-mail, credit code, …) in one
-- indexed table. Strong keys are UNIQUE across all customers, so two reps saving the same
-- mobile at the same moment, on any number of instances, get one success and one refusal.
create table identity_keys (
    id integer primary key,
    customer_id integer not null references customers(id) on delete cascade,
    kind text not null,
    value text not null,
    strong boolean not null
);
create unique index identity_keys_strong on identity_keys(kind, value) where strong;
create index identity_keys_lookup on identity_keys(kind, value);
create index identity_keys_customer on identity_keys(customer_id);

-- Existing customers' main phones (a mobile is +86 and 11 digits starting with 1; Beijing
-- landlines start +8610 but are shorter): mobiles are strong keys (the oldest customer keeps a
-- shared number as its strong key; later ones keep it as a weak key for review), landlines
-- are weak (a switchboard serves many customers).
insert into identity_keys (customer_id, kind, value, strong)
select c.id,
       case when length(c.phone) = 14 and c.phone like '+861%' then 'mobile' else 'landline' end,
       c.phone,
       length(c.phone) = 14 and c.phone like '+861%' and c.id = (select min(d.id) from customers d where d.phone = c.phone)
from customers c;
