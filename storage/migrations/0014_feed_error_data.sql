-- A feed's last poll failure becomes data, put into words when an admin reads /feeds (in that
-- admin's language): a reason code of bot/services/ingest/problems with its values. It was a
-- sentence in `last_error`, in the language of the moment of the poll; that column is read
-- back below and no longer used.
-- http_status | timeout | unreachable | not_a_feed | not_rss_or_atom | ... ; NULL: no failure.
ALTER TABLE feeds ADD COLUMN error_reason TEXT;
ALTER TABLE feeds ADD COLUMN error_status INTEGER;
-- not_a_feed: the content type; too_many_redirects, feed_too_large: the limit passed;
-- other: a sentence stored before this migration.
ALTER TABLE feeds ADD COLUMN error_detail TEXT NOT NULL DEFAULT '';

-- An HTTP status in English ("The server answered " is 20 characters) is read back as one; any
-- other sentence becomes `other` with the sentence as its detail, shown as it was stored (an
-- English one that is a msgid is translated, as draft notes' are since migration 0013).
UPDATE feeds
SET error_reason = 'http_status', error_status = CAST(substr(last_error, 21, 3) AS INTEGER)
WHERE last_error GLOB 'The server answered [1-5][0-9][0-9].';
UPDATE feeds SET error_reason = 'other', error_detail = last_error
WHERE error_reason IS NULL AND last_error IS NOT NULL AND last_error != '';
UPDATE feeds SET last_error = NULL;
