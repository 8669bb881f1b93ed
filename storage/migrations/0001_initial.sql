-- Subscribers and articles. Times are Unix seconds (UTC).
CREATE TABLE subscribers (
    chat_id         INTEGER PRIMARY KEY,
    chat_type       TEXT NOT NULL DEFAULT 'private',
    name            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'inactive', 'unsubscribed')),
    inactive_reason TEXT,
    mode            TEXT NOT NULL DEFAULT 'instant' CHECK (mode IN ('instant', 'digest')),
    digest_hour     INTEGER NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    timezone        TEXT NOT NULL DEFAULT 'UTC',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX subscribers_status ON subscribers (status, mode);

CREATE TABLE subscriber_topics (
    chat_id INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (chat_id, tag)
) WITHOUT ROWID;
CREATE INDEX subscriber_topics_tag ON subscriber_topics (tag);

CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT UNIQUE,
    url          TEXT UNIQUE,
    content_hash TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    author       TEXT,
    image_url    TEXT,
    source       TEXT NOT NULL DEFAULT 'admin' CHECK (source IN ('admin', 'feed', 'import')),
    status       TEXT NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'scheduled', 'published', 'withdrawn', 'archived')),
    link_preview INTEGER NOT NULL DEFAULT 1,
    created_by   INTEGER,
    created_at   INTEGER NOT NULL,
    scheduled_at INTEGER,
    published_at INTEGER,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX articles_hash ON articles (content_hash);
CREATE INDEX articles_schedule ON articles (status, scheduled_at);
CREATE INDEX articles_published ON articles (published_at);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
) WITHOUT ROWID;
CREATE INDEX article_tags_tag ON article_tags (tag);
