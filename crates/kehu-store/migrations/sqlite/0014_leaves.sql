-- 休假: a user's recorded absences, each the half-open span [starts_at, ends_at). While an
-- owner is away the recycle clocks of their customers stand still (kehu_domain::pool::leave);
-- routing will skip them. `source` says where a record came from: 'manual' (the user, their
-- manager or an admin, through the API or the team page) now, an HR availability feed later.
-- The domain checks ends_at > starts_at and a sane span before anything is written.
create table leaves (
    id integer primary key,
    user_id integer not null references users(id),
    starts_at text not null,
    ends_at text not null,
    note text not null default '',
    source text not null default 'manual',
    recorded_by integer not null references users(id),
    recorded_at text not null
);
-- One user's leave in time order, and the leave of a pool's owners for the recycle judge.
create index leaves_user on leaves(user_id, starts_at);
