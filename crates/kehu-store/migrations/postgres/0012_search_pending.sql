-- Startup fills the search text of rows that have none (Store::migrate); this index makes
-- finding them one lookup instead of a scan of every customer.
create index customers_search_pending on customers(id) where search_text = '';
