"""Subscriber repository: chats that receive articles, their schedule and topics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from storage.db import Database, in_chunks, marks
from storage.models import Subscriber, to_ts

_COLUMNS = (
    "chat_id, chat_type, name, status, inactive_reason, mode, digest_hour, timezone, source,"
    " language"
)


def _row_to_subscriber(
    row: aiosqlite.Row, topics: Sequence[str], words: Sequence[aiosqlite.Row]
) -> Subscriber:
    return Subscriber(
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        name=row["name"],
        status=row["status"],
        inactive_reason=row["inactive_reason"],
        mode=row["mode"],
        digest_hour=row["digest_hour"],
        timezone=row["timezone"],
        topics=tuple(topics),
        source=row["source"],
        follows=tuple(w["word"] for w in words if w["kind"] == "follow"),
        mutes=tuple(w["word"] for w in words if w["kind"] == "mute"),
        language=row["language"],
    )


class SubscriberRepository:
    """Plain SQL over the subscribers and subscriber_topics tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, chat_id: int) -> Subscriber | None:
        """Return one subscriber with its topics, or None."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM subscribers WHERE chat_id = ?", (chat_id,)
        )
        if row is None:
            return None
        words = await self.db.fetchall(
            "SELECT kind, word FROM subscriber_words WHERE chat_id = ? ORDER BY word", (chat_id,)
        )
        return _row_to_subscriber(row, await self.topics(chat_id), words)

    async def topics(self, chat_id: int) -> list[str]:
        """The tags a chat follows, alphabetically."""
        rows = await self.db.fetchall(
            "SELECT tag FROM subscriber_topics WHERE chat_id = ? ORDER BY tag", (chat_id,)
        )
        return [r["tag"] for r in rows]

    async def subscribe(
        self,
        chat_id: int,
        chat_type: str,
        name: str,
        timezone: str,
        now: datetime,
        source: str = "",
        language: str = "en",
    ) -> bool:
        """Create or reactivate a subscription; return True when the chat was not active.
        `source` (where the chat came from) and `language` are kept from its first
        subscription (a returning reader keeps their choice)."""
        ts = to_ts(now)
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT status FROM subscribers WHERE chat_id = ?", (chat_id,)
            ) as cur:
                row = await cur.fetchone()
            await conn.execute(
                "INSERT INTO subscribers (chat_id, chat_type, name, timezone, created_at,"
                " updated_at, source, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET status = 'active', inactive_reason = NULL,"
                " chat_type = excluded.chat_type, name = excluded.name,"
                " updated_at = excluded.updated_at",
                (chat_id, chat_type, name, timezone, ts, ts, source, language),
            )
        return row is None or row["status"] != "active"

    async def set_language(self, chat_id: int, language: str, now: datetime) -> bool:
        """Store a chat's language for the bot's texts; False if the chat is not known."""
        count, _ = await self.db.execute(
            "UPDATE subscribers SET language = ?, updated_at = ? WHERE chat_id = ?",
            (language, to_ts(now), chat_id),
        )
        return count > 0

    async def languages(self, chat_ids: Sequence[int]) -> dict[int, str]:
        """The stored languages of these chats (chats not stored are left out)."""
        found: dict[int, str] = {}
        for chunk in in_chunks(list(chat_ids)):
            rows = await self.db.fetchall(
                f"SELECT chat_id, language FROM subscribers WHERE chat_id IN ({marks(chunk)})",
                chunk,
            )
            found.update({r["chat_id"]: r["language"] for r in rows})
        return found

    async def set_status(
        self, chat_id: int, status: str, reason: str | None, now: datetime
    ) -> bool:
        """Change a chat's status (active, inactive, unsubscribed); False if unknown chat."""
        count, _ = await self.db.execute(
            "UPDATE subscribers SET status = ?, inactive_reason = ?, updated_at = ?"
            " WHERE chat_id = ?",
            (status, reason, to_ts(now), chat_id),
        )
        return count > 0

    async def set_schedule(
        self,
        chat_id: int,
        *,
        mode: str | None = None,
        hour: int | None = None,
        timezone: str | None = None,
        now: datetime,
    ) -> None:
        """Update delivery mode, digest hour and/or time zone."""
        await self.db.execute(
            "UPDATE subscribers SET mode = coalesce(?, mode),"
            " digest_hour = coalesce(?, digest_hour),"
            " timezone = coalesce(?, timezone), updated_at = ? WHERE chat_id = ?",
            (mode, hour, timezone, to_ts(now), chat_id),
        )

    async def set_topics(self, chat_id: int, tags: Sequence[str]) -> None:
        """Replace the tags a chat follows (empty means everything)."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM subscriber_topics WHERE chat_id = ?", (chat_id,))
            await conn.executemany(
                "INSERT OR IGNORE INTO subscriber_topics (chat_id, tag) VALUES (?, ?)",
                [(chat_id, tag) for tag in tags],
            )

    async def set_words(self, chat_id: int, kind: str, words: Sequence[str]) -> None:
        """Replace the words a chat follows or mutes; a word moves from the other list."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM subscriber_words WHERE chat_id = ? AND kind = ?", (chat_id, kind)
            )
            await conn.executemany(
                "DELETE FROM subscriber_words WHERE chat_id = ? AND word = ?",
                [(chat_id, word) for word in words],
            )
            await conn.executemany(
                "INSERT OR IGNORE INTO subscriber_words (chat_id, kind, word) VALUES (?, ?, ?)",
                [(chat_id, kind, word) for word in words],
            )

    async def migrate_chat(self, old_id: int, new_id: int, now: datetime) -> None:
        """Move a group's subscription and pending deliveries to its new supergroup id."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE OR IGNORE subscribers SET chat_id = ?, chat_type = 'supergroup',"
                " updated_at = ? WHERE chat_id = ?",
                (new_id, to_ts(now), old_id),
            )
            await conn.execute(
                "UPDATE OR IGNORE deliveries SET chat_id = ?"
                " WHERE chat_id = ? AND status = 'pending'",
                (new_id, old_id),
            )

    async def count_by_status(self) -> dict[str, int]:
        """Number of chats per status."""
        rows = await self.db.fetchall(
            "SELECT status, count(*) AS n FROM subscribers GROUP BY status"
        )
        return {r["status"]: r["n"] for r in rows}

    async def insert_many(
        self, rows: Sequence[tuple[int, str, str, str, int, str]], now: datetime
    ) -> None:
        """Bulk-create active subscribers: (chat_id, chat_type, name, mode, hour, timezone)."""
        ts = to_ts(now)
        await self.db.executemany(
            "INSERT OR IGNORE INTO subscribers (chat_id, chat_type, name, mode, digest_hour,"
            " timezone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, ts, ts) for row in rows],
        )
