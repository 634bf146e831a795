-- 工作时间: a rep's working hours as JSON (kehu_domain::routing::WorkingHours); routing skips
-- them outside. No row: any time. The PostgreSQL twin has the same table; only types differ.
create table rep_hours (
    user_id integer primary key references users(id),
    hours text not null
);
