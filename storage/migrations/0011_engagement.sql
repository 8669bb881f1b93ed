-- Engagement and growth (issue 15). Every figure is a counter row changed in the same write
-- as the action it counts (a trigger, or the repository's own transaction), never derived
-- later from per-message rows that retention may delete.

-- Where a reader came from: the campaign of a ?start=src-<campaign> link, 'a-<id>' for a
-- shared article, 't-<tag>' for a topic link; '' for a plain /start. Set once, when the chat
-- first subscribes.
ALTER TABLE subscribers ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- Per-article engagement (deliveries are counted by the outbox itself).
CREATE TABLE article_engagement (
    article_id       INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    related_taps     INTEGER NOT NULL DEFAULT 0,  -- "You may also like" taps under it
    comment_opens    INTEGER NOT NULL DEFAULT 0,  -- Comment / Comments (N) taps, /comments
    comments         INTEGER NOT NULL DEFAULT 0,  -- comments left (any moderation status)
    unsubscribes_24h INTEGER NOT NULL DEFAULT 0   -- readers who left within 24 h of it
);

-- Reactions to article messages, per emoji ('custom:<id>' for custom emoji, 'paid' for stars).
CREATE TABLE article_reactions (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL,
    n          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, emoji)
) WITHOUT ROWID;

-- Per UTC day (Unix seconds / 86400): readers who joined and left, deliveries sent and failed.
CREATE TABLE daily_counts (
    day    INTEGER PRIMARY KEY,
    joins  INTEGER NOT NULL DEFAULT 0,
    leaves INTEGER NOT NULL DEFAULT 0,
    sent   INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);

-- Words a reader follows (articles matching them arrive even outside their topics) or mutes
-- (articles matching them are skipped). A word is one or more lower-case tokens, matched as
-- a phrase against the full-text index at fan-out.
CREATE TABLE subscriber_words (
    chat_id INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('follow', 'mute')),
    word    TEXT NOT NULL,
    PRIMARY KEY (chat_id, kind, word)
) WITHOUT ROWID;
CREATE INDEX subscriber_words_word ON subscriber_words (word, kind);

-- What is already known is carried over: joins and leaves of existing chats, deliveries
-- already made, comments already left.
INSERT INTO daily_counts (day, joins)
SELECT created_at / 86400, count(*) FROM subscribers WHERE true GROUP BY 1
ON CONFLICT (day) DO UPDATE SET joins = joins + excluded.joins;
INSERT INTO daily_counts (day, leaves)
SELECT updated_at / 86400, count(*) FROM subscribers WHERE status != 'active' GROUP BY 1
ON CONFLICT (day) DO UPDATE SET leaves = leaves + excluded.leaves;
INSERT INTO daily_counts (day, sent, failed)
SELECT sent_at / 86400, sum(status = 'sent'), sum(status = 'failed') FROM deliveries
WHERE status IN ('sent', 'failed') AND sent_at IS NOT NULL GROUP BY 1
ON CONFLICT (day) DO UPDATE SET sent = sent + excluded.sent, failed = failed + excluded.failed;
INSERT INTO article_engagement (article_id, comments)
SELECT article_id, count(*) FROM comments GROUP BY article_id;

CREATE TRIGGER subscribers_joined AFTER INSERT ON subscribers WHEN NEW.status = 'active'
BEGIN
    INSERT INTO daily_counts (day, joins) VALUES (NEW.created_at / 86400, 1)
    ON CONFLICT (day) DO UPDATE SET joins = joins + 1;
END;

CREATE TRIGGER subscribers_rejoined AFTER UPDATE OF status ON subscribers
WHEN NEW.status = 'active' AND OLD.status != 'active'
BEGIN
    INSERT INTO daily_counts (day, joins) VALUES (NEW.updated_at / 86400, 1)
    ON CONFLICT (day) DO UPDATE SET joins = joins + 1;
END;

-- Leaving (/stop, or blocking the bot) counts against every article the chat was sent in
-- the 24 hours before.
CREATE TRIGGER subscribers_left AFTER UPDATE OF status ON subscribers
WHEN OLD.status = 'active' AND NEW.status != 'active'
BEGIN
    INSERT INTO daily_counts (day, leaves) VALUES (NEW.updated_at / 86400, 1)
    ON CONFLICT (day) DO UPDATE SET leaves = leaves + 1;
    INSERT INTO article_engagement (article_id, unsubscribes_24h)
    SELECT DISTINCT article_id, 1 FROM deliveries
    WHERE chat_id = NEW.chat_id AND status = 'sent' AND sent_at >= NEW.updated_at - 86400
    ON CONFLICT (article_id) DO UPDATE SET unsubscribes_24h = unsubscribes_24h + 1;
END;

CREATE TRIGGER deliveries_counted AFTER UPDATE OF status ON deliveries
WHEN NEW.status IN ('sent', 'failed') AND OLD.status != NEW.status
BEGIN
    INSERT INTO daily_counts (day, sent, failed)
    VALUES (coalesce(NEW.sent_at, unixepoch()) / 86400,
            NEW.status = 'sent', NEW.status = 'failed')
    ON CONFLICT (day) DO UPDATE SET sent = sent + excluded.sent, failed = failed + excluded.failed;
END;

CREATE TRIGGER comments_counted AFTER INSERT ON comments
BEGIN
    INSERT INTO article_engagement (article_id, comments) VALUES (NEW.article_id, 1)
    ON CONFLICT (article_id) DO UPDATE SET comments = comments + 1;
END;
