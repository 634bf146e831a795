-- 负责区域: the provinces and cities a rep covers, for territory-match routing rules. The
-- PostgreSQL twin has the same table; only types differ.
create table rep_territories (
    user_id integer not null references users(id),
    place text not null,
    primary key (user_id, place)
);
