-- Full-text index over article titles and bodies, for related-article suggestions.
-- External content: the text lives only in `articles`; triggers keep the index in step.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, body, content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Document frequencies per term, for choosing an article's most distinctive terms.
CREATE VIRTUAL TABLE articles_fts_vocab USING fts5vocab (articles_fts, 'row');

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    VALUES ('delete', OLD.id, OLD.title, OLD.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    VALUES ('delete', OLD.id, OLD.title, OLD.body);
    INSERT INTO articles_fts (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');

-- Each article's strongest terms as a unit-length tf-idf vector ("term weight ..." with
-- weights in thousandths), used to re-rank full-text candidates by cosine similarity.
CREATE TABLE related_signatures (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    terms      TEXT NOT NULL,
    signed_at  INTEGER NOT NULL
);

-- When an article's related list (related_articles) was computed and how big the archive
-- was then; a missing row means "compute on next lookup".
CREATE TABLE related_state (
    article_id   INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    computed_at  INTEGER NOT NULL,
    archive_size INTEGER NOT NULL
);

-- "Write a comment" prompts (ForceReply): a reply to one is a comment on its article.
-- A separate table because article_messages' CHECK constraint cannot be altered.
CREATE TABLE comment_prompts (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
