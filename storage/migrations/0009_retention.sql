-- Retention: per-message records older than RETENTION_DAYS are compacted into per-article
-- totals and deleted, so the file stays bounded by current readers and recent articles.

-- Deliveries compacted away, counted by what statistics tell apart: kind (instant or
-- digest), final status and reason ('' when none; 'blocked', 'chat not found', 'withdrawn',
-- an error text...). Statistics add these to the live rows, so they read the same before
-- and after compaction. A new dimension (say, "ambiguous after a crash") is one more column
-- and one more key column in delivery_totals_key.
CREATE TABLE delivery_totals (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    n          INTEGER NOT NULL
);
CREATE UNIQUE INDEX delivery_totals_key ON delivery_totals (article_id, kind, status, reason);

-- Article messages whose records were removed: /edit and /unpublish can no longer reach
-- them and say how many there were.
CREATE TABLE article_messages_pruned (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (article_id, kind)
) WITHOUT ROWID;

-- Small named facts the bot must remember across restarts (e.g. when it last pruned).
CREATE TABLE maintenance_state (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

-- Finished broadcasts and expired prompts are found by age.
CREATE INDEX broadcasts_finished ON broadcasts (finished_at);
CREATE INDEX comment_prompts_created ON comment_prompts (created_at);
-- feed_entries.seen_at now means "last seen in the feed": pruning forgets entries that
-- left the feed long ago, never ones a feed still lists.
CREATE INDEX feed_entries_seen ON feed_entries (seen_at);
