"""Engagement counters: reactions, taps, comment opens, and the daily and per-source figures.

Every counter is a row changed in the same write as the action (see migration 0011)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from storage.db import Database, in_chunks, marks
from storage.models import DayCounts, Engagement

_DAY = 86_400
# The single article a bot message shows; digests (several articles) are left out.
_SHOWN = (
    "SELECT article_id FROM article_messages WHERE chat_id = ? AND message_id = ?"
    " AND kind = 'article'"
)


class EngagementRepository:
    """Plain SQL over article_engagement, article_reactions, daily_counts and sources."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def react(
        self, chat_id: int, message_id: int, removed: Sequence[str], added: Sequence[str]
    ) -> bool:
        """Apply one reader's reaction change to the article a message shows (one write);
        False when the message shows no single article."""
        async with self.db.transaction() as conn:
            async with conn.execute(_SHOWN, (chat_id, message_id)) as cur:
                row = await cur.fetchone()
            if row is None:
                return False
            article_id = int(row[0])
            await conn.executemany(
                "UPDATE article_reactions SET n = max(n - 1, 0)"
                " WHERE article_id = ? AND emoji = ?",
                [(article_id, emoji) for emoji in removed],
            )
            await conn.executemany(
                "INSERT INTO article_reactions (article_id, emoji, n) VALUES (?, ?, 1)"
                " ON CONFLICT (article_id, emoji) DO UPDATE SET n = n + 1",
                [(article_id, emoji) for emoji in added],
            )
        return True

    async def related_tap(self, chat_id: int, message_id: int) -> bool:
        """Count a tap on a related suggestion under an article message."""
        count, _ = await self.db.execute(
            "INSERT INTO article_engagement (article_id, related_taps)"
            f" SELECT article_id, 1 FROM ({_SHOWN}) WHERE true"
            " ON CONFLICT (article_id) DO UPDATE SET related_taps = related_taps + 1",
            (chat_id, message_id),
        )
        return count > 0

    async def comments_opened(self, article_id: int) -> None:
        """Count a reader opening an article's comments."""
        await self.db.execute(
            "INSERT INTO article_engagement (article_id, comment_opens) VALUES (?, 1)"
            " ON CONFLICT (article_id) DO UPDATE SET comment_opens = comment_opens + 1",
            (article_id,),
        )

    async def of_articles(self, ids: Sequence[int]) -> dict[int, Engagement]:
        """The counters of these articles (zeros for one nobody touched)."""
        found = {i: Engagement(i) for i in ids}
        reactions: dict[int, list[tuple[str, int]]] = {}
        for chunk in in_chunks(list(ids)):
            rows = await self.db.fetchall(
                "SELECT article_id, emoji, n FROM article_reactions"
                f" WHERE article_id IN ({marks(chunk)}) AND n > 0 ORDER BY n DESC, emoji",
                chunk,
            )
            for r in rows:
                reactions.setdefault(r["article_id"], []).append((r["emoji"], r["n"]))
            rows = await self.db.fetchall(
                "SELECT article_id, related_taps, comment_opens, comments, unsubscribes_24h"
                f" FROM article_engagement WHERE article_id IN ({marks(chunk)})",
                chunk,
            )
            for r in rows:
                found[r["article_id"]] = Engagement(
                    r["article_id"],
                    r["related_taps"],
                    r["comment_opens"],
                    r["comments"],
                    r["unsubscribes_24h"],
                )
        return {
            i: Engagement(
                e.article_id,
                e.related_taps,
                e.comment_opens,
                e.comments,
                e.unsubscribes_24h,
                tuple(reactions.get(i, ())),
            )
            for i, e in found.items()
        }

    async def days(self, since: datetime) -> list[DayCounts]:
        """Daily joins, leaves and deliveries from `since` on, oldest first."""
        rows = await self.db.fetchall(
            "SELECT day, joins, leaves, sent, failed FROM daily_counts WHERE day >= ?"
            " ORDER BY day",
            (int(since.timestamp()) // _DAY,),
        )
        return [
            DayCounts(
                datetime.fromtimestamp(r["day"] * _DAY, tz=UTC).date(),
                r["joins"],
                r["leaves"],
                r["sent"],
                r["failed"],
            )
            for r in rows
        ]

    async def by_source(self) -> dict[str, int]:
        """Every chat that ever subscribed, by where it came from ('' for a plain /start)."""
        rows = await self.db.fetchall(
            "SELECT source, count(*) AS n FROM subscribers GROUP BY source ORDER BY n DESC"
        )
        return {r["source"]: r["n"] for r in rows}

    async def published_ids(self, limit: int | None) -> list[int]:
        """Published (or since withdrawn) articles, newest first; imports left out."""
        rows = await self.db.fetchall(
            "SELECT id FROM articles WHERE status IN ('published', 'withdrawn')"
            " AND source != 'import' ORDER BY published_at DESC, id DESC LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return [r["id"] for r in rows]
