-- 负责区域: the provinces and cities a rep covers, for territory-match routing rules. The
-- SQLite twin has the same table; only types differ.
create table rep_territories (
    user_id bigint not null references users(id),
    place text not null,
    primary key (user_id, place)
);
