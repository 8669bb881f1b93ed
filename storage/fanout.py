"""Queueing an article for its audience: the subscriber fan-out, one chat outside it (the
channel), and how many readers publishing would reach (the same rule, so the preview's numbers
are what publishing does)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from storage.db import Database
from storage.models import Audience, to_ts

FANOUT_CHUNK = 20_000
_MIN_ID, _MAX_ID = -(2**63), 2**63 - 1


# Who gets an article: a subscriber who follows no topics gets every article; one who
# follows topics gets those carrying one of them. With words the article matches (a JSON
# list, bound twice after the article id): a reader who follows one gets it outside their
# topics, one who mutes one never gets it. Both IN lists are computed once per statement;
# without matched words the clause is the plain one. Fan-out and the preview's audience
# count share it, so the preview's numbers are what publishing does.
def _wants_article(*, words: bool) -> str:
    follow = (
        " OR s.chat_id IN (SELECT chat_id FROM subscriber_words"
        " WHERE word IN (SELECT value FROM json_each(?)) AND kind = 'follow')"
        if words
        else ""
    )
    mute = (
        " AND s.chat_id NOT IN (SELECT chat_id FROM subscriber_words"
        " WHERE word IN (SELECT value FROM json_each(?)) AND kind = 'mute')"
        if words
        else ""
    )
    return (
        "(NOT EXISTS (SELECT 1 FROM subscriber_topics t WHERE t.chat_id = s.chat_id)"
        " OR EXISTS (SELECT 1 FROM subscriber_topics t JOIN article_tags a ON a.tag = t.tag"
        f" WHERE t.chat_id = s.chat_id AND a.article_id = ?){follow}){mute}"
    )


def _word_params(matched: list[str]) -> list[str]:
    """The parameters _wants_article takes after the article id."""
    return [json.dumps(matched)] * 2 if matched else []


def _fanout_sql(slot_count: int, *, words: bool = False) -> str:
    # Digest subscribers are due at their next local digest hour; the (zone, hour) pairs are
    # few, so their due times are computed in Python and joined in as a VALUES table.
    values = ", ".join("(?, ?, ?)" for _ in range(slot_count))
    return (
        # INSERT first, WITH inside: Python's sqlite3 reports rowcount only for statements
        # that start with INSERT.
        "INSERT OR IGNORE INTO deliveries (article_id, chat_id, kind, due_at)"
        f" WITH slot (zone, hour, due) AS (VALUES {values})"
        " SELECT ?, s.chat_id, s.mode,"
        " CASE s.mode WHEN 'instant' THEN ? ELSE coalesce(slot.due, ?) END"
        " FROM subscribers s LEFT JOIN slot"
        " ON slot.zone = s.timezone AND slot.hour = s.digest_hour"
        " WHERE s.status = 'active' AND s.chat_id > ? AND s.chat_id <= ?"
        f" AND {_wants_article(words=words)}"
    )


class FanoutRepository:
    """Plain SQL that adds deliveries rows for an article's audience, and counts it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def digest_slots(self) -> list[tuple[str, int]]:
        """Distinct (time zone, hour) pairs of active digest subscribers."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT timezone, digest_hour FROM subscribers"
            " WHERE status = 'active' AND mode = 'digest'"
        )
        return [(r["timezone"], r["digest_hour"]) for r in rows]

    async def fanout(
        self, article_id: int, now: datetime, digest_due: Mapping[tuple[str, int], datetime]
    ) -> int:
        """Queue the article for every matching active subscriber (idempotent); count rows."""
        slots = list(digest_due.items()) or [(("", -1), now)]
        slot_params: list[object] = []
        for (zone, hour), due in slots:
            slot_params += [zone, hour, to_ts(due)]
        matched = await self.matched_words(article_id)
        sql = _fanout_sql(len(slots), words=bool(matched))
        word_params = _word_params(matched)
        now_ts = to_ts(now)
        added, low = 0, _MIN_ID
        while True:
            # Chunks keep each write transaction short, so readers' commands are not held up.
            row = await self.db.fetchone(
                "SELECT chat_id FROM subscribers WHERE status = 'active' AND chat_id > ?"
                " ORDER BY chat_id LIMIT 1 OFFSET ?",
                (low, FANOUT_CHUNK - 1),
            )
            high = row["chat_id"] if row else _MAX_ID
            params = [*slot_params, article_id, now_ts, now_ts, low, high, article_id]
            params += word_params
            count, _ = await self.db.execute(sql, params)
            added += max(count, 0)
            if row is None:
                return added
            low = high

    async def queue_chat(self, article_id: int, chat_id: int, due: datetime) -> bool:
        """Queue one article for one chat outside the subscriber fan-out (the publisher's
        channel); idempotent like the fan-out. True when a row was added."""
        count, _ = await self.db.execute(
            "INSERT OR IGNORE INTO deliveries (article_id, chat_id, kind, due_at)"
            " VALUES (?, ?, 'instant', ?)",
            (article_id, chat_id, to_ts(due)),
        )
        return count > 0

    async def audience(self, article_id: int) -> Audience:
        """How many active subscribers publishing the article now would reach, by mode."""
        matched = await self.matched_words(article_id)
        rows = await self.db.fetchall(
            "SELECT s.mode, count(*) AS n FROM subscribers s"
            f" WHERE s.status = 'active' AND {_wants_article(words=bool(matched))}"
            " GROUP BY s.mode",
            (article_id, *_word_params(matched)),
        )
        found = {r["mode"]: int(r["n"]) for r in rows}
        return Audience(instant=found.get("instant", 0), digest=found.get("digest", 0))

    async def matched_words(self, article_id: int) -> list[str]:
        """The follow and mute words (of any reader) that the article's title or text
        contains, each looked up as a phrase in the full-text index."""
        rows = await self.db.fetchall(
            "SELECT w.word FROM (SELECT DISTINCT word FROM subscriber_words) AS w"
            " WHERE EXISTS (SELECT 1 FROM articles_fts"
            # Words are stored as letters and digits only, so quoting makes a valid phrase.
            "  WHERE articles_fts MATCH '\"' || w.word || '\"' AND rowid = ?)",
            (article_id,),
        )
        return [r["word"] for r in rows]
