-- Comments, bans, and related-article suggestions.
CREATE TABLE comments (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    user_name  TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'pending', 'hidden')),
    created_at INTEGER NOT NULL,
    UNIQUE (chat_id, message_id)
);
CREATE INDEX comments_article ON comments (article_id, status, id);
CREATE INDEX comments_user ON comments (user_id, created_at);

CREATE TABLE banned_users (
    user_id    INTEGER PRIMARY KEY,
    banned_by  INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE related_articles (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    rank       INTEGER NOT NULL,
    related_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    score      REAL NOT NULL,
    PRIMARY KEY (article_id, rank)
) WITHOUT ROWID;
CREATE INDEX related_articles_related ON related_articles (related_id);
