-- What routing rules ask of a lead besides its place (kehu_domain::lead::profile), and the
-- industries reps serve for skill-match rules. The SQLite twin has the same columns and
-- table; only types differ.

-- 行业, as the sender gives it (whitespace squashed); routing falls back to the matched
-- customer's industry when it is null.
alter table leads add column industry text;
-- 标签: a JSON array of strings (folded, each once); null without tags.
alter table leads add column tags text;
-- The grade (A, B, C) the sender states; routing takes the matched customer's own grade
-- first, since the CRM's judgement outranks a form's.
alter table leads add column grade text;

-- 专长: the industries a rep serves, for `"strategy": "skill"` routing rules.
create table rep_skills (
    user_id bigint not null references users(id),
    industry text not null,
    primary key (user_id, industry)
);
