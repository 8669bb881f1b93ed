-- The date the article's own page gives (ISO YYYY-MM-DD), shown instead of the day it was
-- published here; NULL when the page gives none.
ALTER TABLE articles ADD COLUMN page_date TEXT;
