"""Feed repository: RSS/Atom feeds and the entries already seen in each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import aiosqlite

from storage.db import Database, in_chunks, marks
from storage.models import Feed, PageProblem, from_ts, to_ts

_COLUMNS = (
    "id, url, mode, title, added_by, last_polled_at, error_reason, error_status, error_detail,"
    " consecutive_failures, failure_reported"
)


def _row_to_feed(row: aiosqlite.Row) -> Feed:
    problem = None
    if row["error_reason"] is not None:
        problem = PageProblem(row["error_reason"], row["error_status"], row["error_detail"])
    return Feed(
        id=row["id"],
        url=row["url"],
        mode=row["mode"],
        title=row["title"],
        added_by=row["added_by"],
        last_polled_at=from_ts(row["last_polled_at"]),
        problem=problem,
        consecutive_failures=row["consecutive_failures"],
        failure_reported=bool(row["failure_reported"]),
    )


class FeedRepository:
    """Plain SQL over the feeds and feed_entries tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        url: str,
        mode: str,
        title: str,
        added_by: int | None,
        seen_keys: Iterable[str],
        now: datetime,
    ) -> Feed:
        """Store a feed with the entries it already has marked as seen; return it."""
        ts = to_ts(now)
        async with self.db.transaction() as conn:
            async with conn.execute(
                "INSERT INTO feeds (url, mode, title, added_by, created_at, last_polled_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (url, mode, title, added_by, ts, ts),
            ) as cur:
                feed_id = int(cur.lastrowid or 0)
            await conn.executemany(
                "INSERT OR IGNORE INTO feed_entries (feed_id, entry_key, seen_at) VALUES (?,?,?)",
                [(feed_id, key, ts) for key in seen_keys],
            )
        feed = await self.get(feed_id)
        assert feed is not None  # noqa: S101 - just inserted
        return feed

    async def get(self, feed_id: int) -> Feed | None:
        """One feed, or None."""
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM feeds WHERE id = ?", (feed_id,))
        return _row_to_feed(row) if row else None

    async def find_by_url(self, url: str) -> Feed | None:
        """The feed with this address, if it was added already."""
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM feeds WHERE url = ?", (url,))
        return _row_to_feed(row) if row else None

    async def all(self) -> list[Feed]:
        """Every feed, in the order they were added (the numbers /feeds shows)."""
        rows = await self.db.fetchall(f"SELECT {_COLUMNS} FROM feeds ORDER BY id")
        return [_row_to_feed(r) for r in rows]

    async def remove(self, feed_id: int) -> bool:
        """Delete a feed and its seen entries; False if it was already gone."""
        count, _ = await self.db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return count > 0

    async def unseen(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """The keys among these that were never seen in this feed."""
        seen: set[str] = set()
        for chunk in in_chunks(keys):
            rows = await self.db.fetchall(
                "SELECT entry_key FROM feed_entries"
                f" WHERE feed_id = ? AND entry_key IN ({marks(chunk)})",
                (feed_id, *chunk),
            )
            seen.update(r["entry_key"] for r in rows)
        return set(keys) - seen

    async def touch(self, feed_id: int, keys: Sequence[str], now: datetime) -> None:
        """Note that the feed still lists these entries (retention forgets an entry only
        after it left the feed); each is rewritten at most once a day."""
        ts = to_ts(now)
        for chunk in in_chunks(keys):
            await self.db.execute(
                "UPDATE feed_entries SET seen_at = ? WHERE feed_id = ? AND seen_at < ?"
                f" AND entry_key IN ({marks(chunk)})",
                (ts, feed_id, ts - 86_400, *chunk),
            )

    async def mark_seen(
        self, feed_id: int, key: str, article_id: int | None, now: datetime
    ) -> None:
        """Remember an entry so that it is never taken again."""
        await self.db.execute(
            "INSERT OR IGNORE INTO feed_entries (feed_id, entry_key, article_id, seen_at)"
            " VALUES (?, ?, ?, ?)",
            (feed_id, key, article_id, to_ts(now)),
        )

    async def record_success(self, feed_id: int, title: str, now: datetime) -> None:
        """A poll worked: clear the failure streak."""
        await self.db.execute(
            "UPDATE feeds SET last_polled_at = ?, error_reason = NULL, error_status = NULL,"
            " error_detail = '', consecutive_failures = 0,"
            " failure_reported = 0, title = CASE WHEN ? != '' THEN ? ELSE title END WHERE id = ?",
            (to_ts(now), title, title, feed_id),
        )

    async def record_failure(self, feed_id: int, problem: PageProblem, now: datetime) -> None:
        """A poll failed: count it and keep the reason (as data, worded when read)."""
        await self.db.execute(
            "UPDATE feeds SET last_polled_at = ?, error_reason = ?, error_status = ?,"
            " error_detail = ?,"
            " consecutive_failures = consecutive_failures + 1 WHERE id = ?",
            (to_ts(now), problem.reason, problem.status, problem.detail[:300], feed_id),
        )

    async def mark_reported(self, feed_id: int) -> None:
        """Admins were told about this feed's failures."""
        await self.db.execute("UPDATE feeds SET failure_reported = 1 WHERE id = ?", (feed_id,))
