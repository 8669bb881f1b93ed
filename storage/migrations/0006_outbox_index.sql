-- The sender asks for due rows of one kind; with `kind` in the index, finding the (few) due
-- digest rows no longer walks past a million due per-article rows every batch.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (status, kind, due_at);
