"""Delivery outbox repository: one row per (article, chat), streamed in small batches."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.models import Audience, Delivery, DeliveryCounts, from_ts, to_ts

FANOUT_CHUNK = 20_000
# Compacted rows that were resent after a crash keep that fact as their reason in
# delivery_totals (storage/retention.py), so statistics count them the same afterwards.
AMBIGUOUS_REASON = "resent after a crash (ambiguous)"
_MIN_ID, _MAX_ID = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class DigestBatch:
    """Every digest delivery owed to one chat at once."""

    chat_id: int
    deliveries: tuple[Delivery, ...]


@dataclass(frozen=True)
class Broadcast:
    """The progress record of one article's delivery."""

    article_id: int
    admin_chat_id: int | None
    progress_message_id: int | None
    fanout_done: bool


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


class DeliveryRepository:
    """Plain SQL over deliveries, article_messages and broadcasts."""

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

    async def due_digests(self, now: datetime, limit: int) -> list[DigestBatch]:
        """Chats whose digest is due, each with every digest delivery it is owed."""
        chats = await self.db.fetchall(
            "SELECT DISTINCT chat_id FROM deliveries"
            " WHERE status = 'pending' AND kind = 'digest' AND due_at <= ? LIMIT ?",
            (to_ts(now), limit),
        )
        batches = []
        for chat in chats:
            rows = await self.db.fetchall(
                "SELECT id, article_id, chat_id, kind, attempts FROM deliveries"
                " WHERE chat_id = ? AND status = 'pending' AND kind = 'digest' AND due_at <= ?"
                " ORDER BY article_id",
                (chat["chat_id"], to_ts(now)),
            )
            items = tuple(
                Delivery(r["id"], r["article_id"], r["chat_id"], r["kind"], r["attempts"])
                for r in rows
            )
            batches.append(DigestBatch(chat["chat_id"], items))
        return batches

    async def mark_failed(self, delivery_id: int, reason: str, now: datetime) -> None:
        """Give up on a delivery, keeping the reason."""
        await self.db.execute(
            "UPDATE deliveries SET status = 'failed', last_error = ?, sent_at = ?,"
            " attempts = attempts + 1, sending_at = NULL WHERE id = ?",
            (reason[:500], to_ts(now), delivery_id),
        )

    async def retry_later(
        self, delivery_id: int, due: datetime, reason: str, *, count_attempt: bool = True
    ) -> None:
        """Put a delivery back in the queue for a later try."""
        await self.db.execute(
            "UPDATE deliveries SET due_at = ?, last_error = ?, attempts = attempts + ?,"
            " sending_at = NULL WHERE id = ? AND status = 'pending'",
            (to_ts(due), reason[:500], int(count_attempt), delivery_id),
        )

    async def fail_chat(self, chat_id: int, reason: str, now: datetime) -> int:
        """Fail every pending delivery of a chat that can no longer be reached."""
        count, _ = await self.db.execute(
            "UPDATE deliveries SET status = 'failed', last_error = ?, sent_at = ?"
            " WHERE chat_id = ? AND status = 'pending'",
            (reason, to_ts(now), chat_id),
        )
        return count

    async def cancel_chat(self, chat_id: int) -> int:
        """Cancel a chat's pending deliveries (the reader unsubscribed)."""
        count, _ = await self.db.execute(
            "UPDATE deliveries SET status = 'cancelled', last_error = 'unsubscribed'"
            " WHERE chat_id = ? AND status = 'pending'",
            (chat_id,),
        )
        return count

    async def cancel_article(self, article_id: int) -> int:
        """Cancel an article's pending deliveries (it was withdrawn)."""
        count, _ = await self.db.execute(
            "UPDATE deliveries SET status = 'cancelled', last_error = 'withdrawn'"
            " WHERE article_id = ? AND status = 'pending'",
            (article_id,),
        )
        return count

    async def reschedule_chat(self, chat_id: int, kind: str, due: datetime) -> None:
        """Move a chat's pending deliveries to a new kind and due time (settings changed)."""
        await self.db.execute(
            "UPDATE deliveries SET kind = ?, due_at = ? WHERE chat_id = ? AND status = 'pending'",
            (kind, to_ts(due), chat_id),
        )

    async def counts(self, article_id: int | None = None) -> DeliveryCounts:
        """Deliveries per status, overall or for one article, compacted ones included."""
        where, params = ("WHERE article_id = ?", (article_id,)) if article_id else ("", ())
        # Rows still on record plus those compacted into per-article totals (retention).
        rows = await self.db.fetchall(
            "SELECT status, count(*) AS n, sum(ambiguous) AS resent"
            f" FROM deliveries {where} GROUP BY status UNION ALL"
            " SELECT status, sum(n) AS n,"
            f" sum(CASE reason WHEN '{AMBIGUOUS_REASON}' THEN n ELSE 0 END) AS resent"
            f" FROM delivery_totals {where} GROUP BY status",
            params * 2,
        )
        found: Counter[str] = Counter()
        for r in rows:
            found[r["status"]] += int(r["n"])
        return DeliveryCounts(
            pending=found.get("pending", 0),
            sent=found.get("sent", 0),
            failed=found.get("failed", 0),
            cancelled=found.get("cancelled", 0),
            ambiguous=sum(r["resent"] or 0 for r in rows),
        )

    async def pending_instant(self, article_id: int) -> int:
        """Per-article deliveries of an article still waiting to be sent."""
        row = await self.db.fetchone(
            "SELECT count(*) AS n FROM deliveries"
            " WHERE article_id = ? AND status = 'pending' AND kind = 'instant'",
            (article_id,),
        )
        return int(row["n"]) if row else 0

    async def start_broadcast(
        self, article_id: int, admin_chat_id: int | None, now: datetime
    ) -> bool:
        """Mark a draft or scheduled article published and open its broadcast, atomically
        (a crash between the two would leave a published article nobody receives).
        False when the article is no longer publishable (withdrawn or already published)."""
        ts = to_ts(now)
        async with self.db.transaction() as conn:
            async with conn.execute(
                "UPDATE articles SET status = 'published', published_at = ?, updated_at = ?,"
                " scheduled_at = NULL WHERE id = ? AND status IN ('draft', 'scheduled')",
                (ts, ts, article_id),
            ) as cur:
                if cur.rowcount == 0:
                    return False
            await conn.execute(
                "INSERT OR IGNORE INTO broadcasts (article_id, admin_chat_id, started_at)"
                " VALUES (?, ?, ?)",
                (article_id, admin_chat_id, ts),
            )
        return True

    async def update_broadcast(
        self,
        article_id: int,
        *,
        progress_message_id: int | None = None,
        fanout_done: bool | None = None,
        finished_at: datetime | None = None,
    ) -> None:
        """Record progress of a broadcast."""
        await self.db.execute(
            "UPDATE broadcasts SET progress_message_id = coalesce(?, progress_message_id),"
            " fanout_done = coalesce(?, fanout_done), finished_at = coalesce(?, finished_at)"
            " WHERE article_id = ?",
            (
                progress_message_id,
                None if fanout_done is None else int(fanout_done),
                to_ts(finished_at) if finished_at else None,
                article_id,
            ),
        )

    async def open_broadcasts(self) -> list[Broadcast]:
        """Broadcasts not yet reported finished."""
        rows = await self.db.fetchall(
            "SELECT article_id, admin_chat_id, progress_message_id, fanout_done"
            " FROM broadcasts WHERE finished_at IS NULL ORDER BY article_id"
        )
        return [
            Broadcast(
                r["article_id"],
                r["admin_chat_id"],
                r["progress_message_id"],
                bool(r["fanout_done"]),
            )
            for r in rows
        ]

    async def article_for_message(self, chat_id: int, message_id: int) -> list[int]:
        """Articles shown in one bot message (one, or several for a digest)."""
        rows = await self.db.fetchall(
            "SELECT article_id FROM article_messages WHERE chat_id = ? AND message_id = ?"
            " ORDER BY article_id",
            (chat_id, message_id),
        )
        return [r["article_id"] for r in rows]

    async def record_message(
        self, chat_id: int, message_id: int, article_id: int, kind: str, now: datetime
    ) -> None:
        """Remember an article message sent outside the outbox (on request, previews)."""
        await self.db.execute(
            "INSERT OR IGNORE INTO article_messages (chat_id, message_id, article_id, kind,"
            " sent_at) VALUES (?, ?, ?, ?, ?)",
            (chat_id, message_id, article_id, kind, to_ts(now)),
        )

    async def messages_of_article(self, article_id: int) -> list[tuple[int, int, str, datetime]]:
        """(chat_id, message_id, kind, sent_at) of every message showing an article."""
        rows = await self.db.fetchall(
            "SELECT chat_id, message_id, kind, sent_at FROM article_messages"
            " WHERE article_id = ? AND kind != 'preview' ORDER BY sent_at",
            (article_id,),
        )
        return [
            (r["chat_id"], r["message_id"], r["kind"], from_ts(r["sent_at"]))  # type: ignore[misc]
            for r in rows
        ]
