-- What the search box matches: the customer's and its contacts' names, each also in pinyin
-- and initials (kehu_domain::customer::search). Filled by the store on every write; rows
-- from before this migration are filled at startup (Store::migrate).
alter table customers add column search_text text not null default '';
