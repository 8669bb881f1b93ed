"""Article repository: stored articles, their tags and publication state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from storage.db import Database
from storage.models import Article, NewArticle, from_ts, to_ts

_COLUMNS = (
    "id, title, body, summary, url, author, image_url, source, status, link_preview,"
    " created_by, created_at, scheduled_at, published_at, external_id"
)


def _row_to_article(row: aiosqlite.Row, tags: Sequence[str]) -> Article:
    created = from_ts(row["created_at"])
    assert created is not None  # noqa: S101 - NOT NULL column
    return Article(
        id=row["id"],
        title=row["title"],
        body=row["body"],
        summary=row["summary"],
        url=row["url"],
        author=row["author"],
        image_url=row["image_url"],
        source=row["source"],
        status=row["status"],
        link_preview=bool(row["link_preview"]),
        created_by=row["created_by"],
        created_at=created,
        scheduled_at=from_ts(row["scheduled_at"]),
        published_at=from_ts(row["published_at"]),
        external_id=row["external_id"],
        tags=tuple(tags),
    )


class ArticleRepository:
    """Plain SQL over the articles and article_tags tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self, article: NewArticle, *, content_hash: str, status: str, now: datetime
    ) -> Article:
        """Store a new article with its tags and return it."""
        ts = to_ts(now)
        published = to_ts(article.published_at) if article.published_at else None
        async with self.db.transaction() as conn:
            async with conn.execute(
                "INSERT INTO articles (external_id, url, content_hash, title, body, summary,"
                " author, image_url, source, status, link_preview, created_by, created_at,"
                " published_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.external_id, article.url, content_hash, article.title,
                    article.body, article.summary, article.author, article.image_url,
                    article.source, status, int(article.link_preview), article.created_by,
                    ts, published, ts,
                ),
            ) as cur:
                article_id = cur.lastrowid
            await conn.executemany(
                "INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?, ?)",
                [(article_id, tag) for tag in article.tags],
            )
        stored = await self.get(int(article_id or 0))
        assert stored is not None  # noqa: S101 - just inserted
        return stored

    async def get(self, article_id: int) -> Article | None:
        """Return one article with its tags, or None."""
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,))
        if row is None:
            return None
        return _row_to_article(row, await self.tags(article_id))

    async def get_many(self, ids: Sequence[int]) -> list[Article]:
        """Return the articles with these ids, in the order given (missing ones skipped)."""
        found = {}
        for article_id in dict.fromkeys(ids):
            article = await self.get(article_id)
            if article is not None:
                found[article_id] = article
        return [found[i] for i in ids if i in found]

    async def tags(self, article_id: int) -> list[str]:
        """An article's tags, alphabetically."""
        rows = await self.db.fetchall(
            "SELECT tag FROM article_tags WHERE article_id = ? ORDER BY tag", (article_id,)
        )
        return [r["tag"] for r in rows]

    async def find_duplicate(self, url: str | None, content_hash: str) -> Article | None:
        """An earlier article with the same URL or the same text, if any."""
        row = await self.db.fetchone(
            "SELECT id FROM articles WHERE (url IS NOT NULL AND url = ?) OR content_hash = ?"
            " ORDER BY id LIMIT 1",
            (url, content_hash),
        )
        return await self.get(row["id"]) if row else None

    async def set_status(
        self, article_id: int, status: str, now: datetime, *,
        published_at: datetime | None = None, scheduled_at: datetime | None = None,
    ) -> None:
        """Move an article to a new status, stamping publication or schedule times."""
        await self.db.execute(
            "UPDATE articles SET status = ?, updated_at = ?,"
            " published_at = coalesce(?, published_at), scheduled_at = ? WHERE id = ?",
            (
                status, to_ts(now),
                to_ts(published_at) if published_at else None,
                to_ts(scheduled_at) if scheduled_at else None,
                article_id,
            ),
        )

    async def due_scheduled(self, now: datetime) -> list[int]:
        """Ids of scheduled articles whose time has come."""
        rows = await self.db.fetchall(
            "SELECT id FROM articles WHERE status = 'scheduled' AND scheduled_at <= ?"
            " ORDER BY scheduled_at, id",
            (to_ts(now),),
        )
        return [r["id"] for r in rows]

    async def recent(self, limit: int = 10) -> list[Article]:
        """The latest articles, scheduled ones first, then newest published."""
        rows = await self.db.fetchall(
            "SELECT id FROM articles WHERE status IN ('scheduled', 'published', 'withdrawn')"
            " ORDER BY status = 'scheduled' DESC, coalesce(published_at, scheduled_at) DESC,"
            " id DESC LIMIT ?",
            (limit,),
        )
        return await self.get_many([r["id"] for r in rows])

    async def popular_tags(self, limit: int = 8) -> list[str]:
        """The most used article tags, for the topic picker."""
        rows = await self.db.fetchall(
            "SELECT tag, count(*) AS n FROM article_tags GROUP BY tag ORDER BY n DESC, tag LIMIT ?",
            (limit,),
        )
        return [r["tag"] for r in rows]
