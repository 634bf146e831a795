-- 统一社会信用代码: validated (GB 32100 check digit) before it is stored; it is also a strong
-- identity key, so its uniqueness lives in identity_keys.
alter table customers add column credit_code text;
