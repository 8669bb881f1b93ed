-- What an admin should know about a draft before publishing it, shown on its preview: where
-- it came from (a feed) and what went wrong on the way (the linked page could not be used).
CREATE TABLE draft_notes (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    origin     TEXT NOT NULL DEFAULT '',
    problem    TEXT NOT NULL DEFAULT ''
);
