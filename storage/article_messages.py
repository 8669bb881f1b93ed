"""Which bot message shows which article (article_messages): for replies, buttons, edits and
withdrawals of messages already sent."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.models import from_ts, to_ts


class ArticleMessageRepository:
    """Plain SQL over article_messages."""

    def __init__(self, db: Database) -> None:
        self.db = db

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
