-- The delivery outbox: one row per (article, chat), so nothing is ever sent twice by design.
CREATE TABLE deliveries (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('instant', 'digest')),
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    due_at     INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    message_id INTEGER,
    sent_at    INTEGER,
    UNIQUE (article_id, chat_id)
);
CREATE INDEX deliveries_due ON deliveries (status, due_at);
CREATE INDEX deliveries_chat ON deliveries (chat_id, status);

-- Every article message the bot sent (broadcast, digest, or on request), so that replies,
-- edits and withdrawals can find their article.
CREATE TABLE article_messages (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL DEFAULT 'article' CHECK (kind IN ('article', 'digest', 'preview')),
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id, article_id)
) WITHOUT ROWID;
CREATE INDEX article_messages_article ON article_messages (article_id, sent_at);

-- Progress message shown to the admin who published an article.
CREATE TABLE broadcasts (
    article_id          INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    admin_chat_id       INTEGER,
    progress_message_id INTEGER,
    fanout_done         INTEGER NOT NULL DEFAULT 0,
    started_at          INTEGER NOT NULL,
    finished_at         INTEGER
);

-- Recording a sent delivery and its message in one statement keeps the hot path to a
-- single autocommit write per message.
CREATE TRIGGER deliveries_sent AFTER UPDATE OF status ON deliveries
WHEN NEW.status = 'sent' AND NEW.message_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO article_messages (chat_id, message_id, article_id, kind, sent_at)
    VALUES (NEW.chat_id, NEW.message_id, NEW.article_id,
            CASE NEW.kind WHEN 'digest' THEN 'digest' ELSE 'article' END, NEW.sent_at);
END;
