-- Reach (issue 16): photo cards, the publisher's channel and its discussion group, readers'
-- languages.

-- Telegram refused the article's lead image once: the rest of its broadcast goes as text, so
-- one bad image costs one failed call, not one per reader (kept across restarts).
ALTER TABLE articles ADD COLUMN photo_refused INTEGER NOT NULL DEFAULT 0;

-- Where a comment came from: a reply to the bot's message ('bot') or a reply in the
-- channel's linked discussion group ('discussion').
ALTER TABLE comments ADD COLUMN source TEXT NOT NULL DEFAULT 'bot'
    CHECK (source IN ('bot', 'discussion'));

-- The reader's language for the bot's own texts (en, ru, uz); articles keep theirs.
ALTER TABLE subscribers ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
