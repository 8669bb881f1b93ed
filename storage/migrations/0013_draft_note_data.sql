-- Draft notes become data, put into words when an admin reads the preview (in their language):
-- the feed a draft came from and, when its linked page could not be used, a reason code with
-- its technical detail. `origin` and `problem` held English sentences; they stay only for old
-- notes this migration cannot read back (shown as they are), and are '' otherwise.
ALTER TABLE draft_notes ADD COLUMN feed_id INTEGER REFERENCES feeds (id) ON DELETE SET NULL;
ALTER TABLE draft_notes ADD COLUMN feed_name TEXT NOT NULL DEFAULT '';
ALTER TABLE draft_notes ADD COLUMN feed_url TEXT NOT NULL DEFAULT '';
-- auto | review; NULL: not from a feed.
ALTER TABLE draft_notes ADD COLUMN feed_mode TEXT;
-- http_status | timeout | unreachable | no_address | not_a_page | no_article | other;
-- NULL: nothing went wrong.
ALTER TABLE draft_notes ADD COLUMN reason TEXT;
ALTER TABLE draft_notes ADD COLUMN http_status INTEGER;
-- not_a_page: the content type; other: the fetcher's own (English) sentence.
ALTER TABLE draft_notes ADD COLUMN detail TEXT NOT NULL DEFAULT '';

-- Old notes, as the feed service wrote them: "the feed NAME (auto, held for review)",
-- "the feed NAME (auto)", "the feed NAME (review)"; "the feed " is 9 characters.
UPDATE draft_notes
SET feed_mode = 'auto', feed_name = substr(origin, 10, length(origin) - 9 - 24), origin = ''
WHERE origin LIKE 'the feed % (auto, held for review)';
UPDATE draft_notes
SET feed_mode = 'auto', feed_name = substr(origin, 10, length(origin) - 9 - 7), origin = ''
WHERE origin LIKE 'the feed % (auto)';
UPDATE draft_notes
SET feed_mode = 'review', feed_name = substr(origin, 10, length(origin) - 9 - 9), origin = ''
WHERE origin LIKE 'the feed % (review)';
-- A name that is an address was the feed's address (it had no title).
UPDATE draft_notes SET feed_url = feed_name, feed_name = ''
WHERE feed_mode IS NOT NULL AND (feed_name LIKE 'http://%' OR feed_name LIKE 'https://%');

-- "The linked page could not be used (ERROR): this is the feed's own summary, and its link
-- may be dead. Check before publishing." (35 characters before ERROR, 85 after; ERROR lost
-- its final full stop).
UPDATE draft_notes
SET reason = 'other', detail = substr(problem, 36, length(problem) - 35 - 85) || '.', problem = ''
WHERE problem LIKE 'The linked page could not be used (%): this is the feed''s own summary, and its'
    || ' link may be dead. Check before publishing.';
UPDATE draft_notes SET reason = 'http_status', http_status = CAST(substr(detail, 21, 3) AS INTEGER),
    detail = ''
WHERE reason = 'other' AND detail GLOB 'The server answered [1-5][0-9][0-9].';
