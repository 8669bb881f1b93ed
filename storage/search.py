"""Finding published articles with the full-text index (articles_fts)."""

from __future__ import annotations

from storage.db import Database
from storage.related import SUGGESTABLE

TITLE_WEIGHT = 4.0  # a word in the title counts as much as four in the body


class SearchRepository:
    """Plain SQL over articles_fts for readers' searches."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def search(self, match: str, limit: int) -> list[int]:
        """Ids of published (or archived) articles matching an FTS5 query, best first."""
        statuses = ",".join("?" * len(SUGGESTABLE))
        rows = await self.db.fetchall(
            "SELECT a.id FROM articles_fts f JOIN articles a ON a.id = f.rowid"
            f" WHERE articles_fts MATCH ? AND a.status IN ({statuses})"
            " ORDER BY bm25(articles_fts, ?, 1.0), a.id DESC LIMIT ?",
            (match, *SUGGESTABLE, TITLE_WEIGHT, limit),
        )
        return [r["id"] for r in rows]

    async def latest(self, limit: int) -> list[int]:
        """Ids of the most recently published articles."""
        rows = await self.db.fetchall(
            "SELECT id FROM articles WHERE status = 'published'"
            " ORDER BY published_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [r["id"] for r in rows]
