"""Broadcasts: the progress record of one article's delivery, from publishing to the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.models import to_ts


@dataclass(frozen=True)
class Broadcast:
    """The progress record of one article's delivery."""

    article_id: int
    admin_chat_id: int | None
    progress_message_id: int | None
    fanout_done: bool


class BroadcastRepository:
    """Plain SQL over broadcasts."""

    def __init__(self, db: Database) -> None:
        self.db = db

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
