-- RSS/Atom feeds that publish automatically or for review.
CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT NOT NULL UNIQUE,
    mode                 TEXT NOT NULL DEFAULT 'review' CHECK (mode IN ('auto', 'review')),
    title                TEXT NOT NULL DEFAULT '',
    added_by             INTEGER,
    created_at           INTEGER NOT NULL,
    last_polled_at       INTEGER,
    last_error           TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failure_reported     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE feed_entries (
    feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    entry_key  TEXT NOT NULL,
    article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    seen_at    INTEGER NOT NULL,
    PRIMARY KEY (feed_id, entry_key)
) WITHOUT ROWID;
