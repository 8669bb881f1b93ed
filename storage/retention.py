"""Retention: compacting per-message records into per-article totals, and pruning what expired.

Every method does one small, bounded step (a batch of rows in one short transaction), so the
caller decides how to pace them and the bot's other writers get the lock in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.deliveries import AMBIGUOUS_REASON
from storage.models import to_ts

# Only final rows are compacted: pending rows (and any in-flight state a later migration
# adds) stay in the outbox until the engine has finished with them.
FINAL = "('sent', 'failed', 'cancelled')"
_FINAL_OLD = (
    f"article_id = ? AND chat_id > ? AND chat_id <= ? AND status IN {FINAL}"
    " AND coalesce(sent_at, due_at) <= ?"
)
# A row resent after a crash is counted as such (DeliveryCounts.ambiguous) once compacted too.
_REASON = f"CASE ambiguous WHEN 1 THEN '{AMBIGUOUS_REASON}' ELSE coalesce(last_error, '') END"
_MAX_ID = 2**63 - 1
LAST_PRUNE = "last_prune_at"


@dataclass(frozen=True)
class Batch:
    """What one step removed, and where the next step of the same article starts."""

    removed: int
    next_after: int | None  # None: this article is done


@dataclass(frozen=True)
class ArticleState:
    """An article as compaction sees it."""

    published_at: int | None
    status: str
    # A fan-out that a crash interrupted is completed at start-up; until then its rows
    # must stay, or the completion (INSERT OR IGNORE) would queue them again.
    compactable: bool


class RetentionRepository:
    """Plain SQL for compaction and pruning, one bounded batch at a time."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def next_article_with_records(self, after: int) -> int | None:
        """The smallest article id above `after` that still has deliveries or messages."""
        ids = []
        for table in ("deliveries", "article_messages"):
            # One index seek each: DISTINCT would walk every row of every article.
            row = await self.db.fetchone(
                f"SELECT article_id FROM {table} WHERE article_id > ? ORDER BY article_id LIMIT 1",
                (after,),
            )
            if row is not None:
                ids.append(int(row["article_id"]))
        return min(ids, default=None)

    async def article_state(self, article_id: int) -> ArticleState | None:
        """What compaction needs to know about an article, None if it is gone."""
        row = await self.db.fetchone(
            "SELECT a.published_at, a.status, coalesce(b.fanout_done, 1) AS fanned"
            " FROM articles a LEFT JOIN broadcasts b ON b.article_id = a.id WHERE a.id = ?",
            (article_id,),
        )
        if row is None:
            return None
        return ArticleState(row["published_at"], row["status"], bool(row["fanned"]))

    async def compact_deliveries(
        self, article_id: int, after: int, before: datetime, limit: int
    ) -> Batch:
        """Move the final deliveries of one article older than `before`, among the next
        `limit` chats after `after`, into delivery_totals and delete them."""
        row = await self.db.fetchone(
            "SELECT chat_id FROM deliveries WHERE article_id = ? AND chat_id > ?"
            " ORDER BY chat_id LIMIT 1 OFFSET ?",
            (article_id, after, limit - 1),
        )
        high = int(row["chat_id"]) if row else _MAX_ID
        params = (article_id, after, high, to_ts(before))
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO delivery_totals (article_id, kind, status, reason, n)"
                f" SELECT article_id, kind, status, {_REASON}, count(*)"
                f" FROM deliveries WHERE {_FINAL_OLD}"
                f" GROUP BY kind, status, {_REASON}"
                " ON CONFLICT (article_id, kind, status, reason) DO UPDATE SET n = n + excluded.n",
                params,
            )
            async with conn.execute(f"DELETE FROM deliveries WHERE {_FINAL_OLD}", params) as cur:
                removed = max(cur.rowcount, 0)
        return Batch(removed, None if row is None else high)

    async def prune_messages(
        self, article_id: int, before: datetime, limit: int, *, previews: bool
    ) -> int:
        """Delete up to `limit` of an article's message records older than `before`,
        counting article and digest messages in article_messages_pruned."""
        kinds = ("article", "digest", "preview") if previews else ("article", "digest")
        rows = await self.db.fetchall(
            "SELECT chat_id, message_id, kind FROM article_messages"
            f" WHERE article_id = ? AND sent_at <= ? AND kind IN ({','.join('?' * len(kinds))})"
            " ORDER BY sent_at LIMIT ?",
            (article_id, to_ts(before), *kinds, limit),
        )
        if not rows:
            return 0
        counted: dict[str, int] = {}
        for r in rows:
            if r["kind"] != "preview":
                counted[r["kind"]] = counted.get(r["kind"], 0) + 1
        async with self.db.transaction() as conn:
            await conn.executemany(
                "DELETE FROM article_messages"
                " WHERE chat_id = ? AND message_id = ? AND article_id = ?",
                [(r["chat_id"], r["message_id"], article_id) for r in rows],
            )
            await conn.executemany(
                "INSERT INTO article_messages_pruned (article_id, kind, n) VALUES (?, ?, ?)"
                " ON CONFLICT (article_id, kind) DO UPDATE SET n = n + excluded.n",
                [(article_id, kind, n) for kind, n in counted.items()],
            )
        return len(rows)

    async def pruned_messages(self, article_id: int) -> dict[str, int]:
        """How many of an article's messages (by kind) are no longer on record."""
        rows = await self.db.fetchall(
            "SELECT kind, n FROM article_messages_pruned WHERE article_id = ?", (article_id,)
        )
        return {r["kind"]: int(r["n"]) for r in rows}

    async def _delete_limited(
        self, table: str, key: str, where: str, params: tuple[object, ...], limit: int
    ) -> int:
        """Delete up to `limit` rows of `table` (identified by the `key` columns) matching
        `where`; the statements are fixed in this module, never built from input."""
        count, _ = await self.db.execute(
            f"DELETE FROM {table} WHERE ({key}) IN"
            f" (SELECT {key} FROM {table} WHERE {where} LIMIT ?)",
            (*params, limit),
        )
        return max(count, 0)

    async def prune_broadcasts(self, before: datetime, limit: int) -> int:
        """Forget progress records of broadcasts that finished before `before`."""
        return await self._delete_limited(
            "broadcasts", "article_id", "finished_at <= ?", (to_ts(before),), limit
        )

    async def prune_prompts(self, before: datetime, limit: int) -> int:
        """Forget Comment prompts older than `before` (their article messages hold buttons)."""
        return await self._delete_limited(
            "comment_prompts", "chat_id, message_id", "created_at <= ?", (to_ts(before),), limit
        )

    async def prune_feed_entries(self, before: datetime, limit: int) -> int:
        """Forget feed entries last seen before `before`, in feeds whose last poll worked
        (a feed that is down keeps its entries, so nothing is taken twice when it returns)."""
        return await self._delete_limited(
            "feed_entries",
            "feed_id, entry_key",
            "seen_at <= ? AND feed_id IN (SELECT id FROM feeds WHERE consecutive_failures = 0)",
            (to_ts(before),),
            limit,
        )

    async def prune_drafts(self, before: datetime, limit: int) -> int:
        """Delete drafts created before `before` that were never published or scheduled."""
        return await self._delete_limited(
            "articles", "id", "status = 'draft' AND created_at <= ?", (to_ts(before),), limit
        )

    async def prune_withdrawn_related(self, limit: int) -> int:
        """Drop related lists of withdrawn articles, and entries pointing at them (the lists
        that had them are computed again on their next lookup)."""
        removed = 0
        gone = "(SELECT id FROM articles WHERE status = 'withdrawn')"
        await self.db.execute(
            "DELETE FROM related_state WHERE article_id IN"
            f" (SELECT article_id FROM related_articles WHERE related_id IN {gone})"
        )
        for where in (f"article_id IN {gone}", f"related_id IN {gone}"):
            removed += await self._delete_limited(
                "related_articles", "article_id, rank", where, (), limit
            )
        for table in ("related_state", "related_signatures"):
            await self._delete_limited(table, "article_id", f"article_id IN {gone}", (), limit)
        return removed

    async def get_state(self, name: str) -> int | None:
        """A remembered value, e.g. when the last prune ran (Unix seconds)."""
        row = await self.db.fetchone("SELECT value FROM maintenance_state WHERE name = ?", (name,))
        return None if row is None else int(row["value"])

    async def set_state(self, name: str, value: int) -> None:
        """Remember a value across restarts."""
        await self.db.execute(
            "INSERT INTO maintenance_state (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    async def checkpoint(self) -> None:
        """Copy the WAL back into the database file so the log restarts small."""
        await self.db.fetchall("PRAGMA wal_checkpoint(PASSIVE)")

    async def free_space(self) -> str:
        """Free pages in the file, which SQLite reuses before growing it, as text."""
        free = await self.db.fetchone("PRAGMA freelist_count")
        size = await self.db.fetchone("PRAGMA page_size")
        pages = int(free[0]) if free else 0
        return f"{pages * (int(size[0]) if size else 4096) / 1e6:.2f} MB"

    async def row_counts(self, tables: tuple[str, ...]) -> dict[str, int]:
        """Rows per table (for `newsbot prune` and the benchmark)."""
        counts = {}
        for table in tables:
            row = await self.db.fetchone(f"SELECT count(*) AS n FROM {table}")
            counts[table] = int(row["n"]) if row else 0
        return counts
