-- The delivery engine records its intent before each send: `sending_at` is set when a row is
-- handed to a sender and cleared when the outcome is recorded. After a crash, the rows still
-- carrying it are exactly the ones Telegram may or may not have accepted: they are resent,
-- logged, and flagged `ambiguous` for the statistics (a duplicate beats a missed article).
ALTER TABLE deliveries ADD COLUMN sending_at INTEGER;
ALTER TABLE deliveries ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0;
-- Small: only the rows in flight (a window of sends) carry `sending_at`.
CREATE INDEX deliveries_sending ON deliveries (sending_at) WHERE sending_at IS NOT NULL;
