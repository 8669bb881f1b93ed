"""Article repository: stored articles, their tags and publication state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import aiosqlite

from storage.db import Database, in_chunks, marks
from storage.models import (
    Article,
    ImportBatchResult,
    ImportRow,
    NewArticle,
    from_ts,
    to_ts,
)

_COLUMNS = (
    "id, title, body, summary, url, author, image_url, source, status, link_preview,"
    " created_by, created_at, scheduled_at, published_at, external_id, photo_refused, page_date"
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
        photo_refused=bool(row["photo_refused"]),
        page_date=date.fromisoformat(row["page_date"]) if row["page_date"] else None,
    )


_IMPORT_INSERT = (
    "INSERT INTO articles (url, external_id, title, body, summary, content_hash, published_at,"
    " source, status, link_preview, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, 'import', 'archived', 1, ?, ?)"
)
# Status and source are left alone, so re-importing never publishes or un-publishes anything.
_IMPORT_UPDATE = (
    "UPDATE articles SET url = coalesce(?, url), external_id = coalesce(?, external_id),"
    " title = ?, body = ?, summary = ?, content_hash = ?,"
    " published_at = coalesce(?, published_at), updated_at = ? WHERE id = ?"
)


def _import_params(row: ImportRow, ts: int) -> tuple[object, ...]:
    published = to_ts(row.published_at) if row.published_at else None
    fields = (row.url, row.external_id, row.title, row.body, row.summary, row.content_hash)
    return (*fields, published, ts, ts)


def _dedupe_batch(rows: Sequence[ImportRow]) -> tuple[list[ImportRow], list[tuple[int, str]]]:
    """Keep the last line for each key; earlier lines with the same key are skipped."""
    last: dict[str, ImportRow] = {}
    skipped: list[tuple[int, str]] = []
    for row in rows:
        key = f"u:{row.url}" if row.url else f"i:{row.external_id}"
        if key in last:
            skipped.append((last[key].line, "repeated later in the file"))
        last[key] = row
    # Two lines with different urls claiming the same id: the first one wins within a batch.
    owners: set[str] = set()
    unique: list[ImportRow] = []
    for row in last.values():
        if row.external_id in owners:
            skipped.append((row.line, "id already belongs to another article"))
            continue
        if row.external_id:
            owners.add(row.external_id)
        unique.append(row)
    return unique, skipped


def _classify(
    rows: Sequence[ImportRow],
    by_url: dict[str, int],
    by_ext: dict[str, int],
    skipped: list[tuple[int, str]],
) -> tuple[list[ImportRow], list[tuple[ImportRow, int]]]:
    """Split rows into inserts and (row, article id) updates; record conflicting ids."""
    inserts: list[ImportRow] = []
    updates: list[tuple[ImportRow, int]] = []
    for row in rows:
        existing = by_url.get(row.url) if row.url else by_ext.get(row.external_id or "")
        owner = by_ext.get(row.external_id) if row.external_id else None
        if owner is not None and owner != existing:
            skipped.append((row.line, "id already belongs to another article"))
        elif existing is None:
            inserts.append(row)
        else:
            updates.append((row, existing))
    return inserts, updates


async def _ids_by(
    conn: aiosqlite.Connection, column: str, values: Sequence[str | None]
) -> dict[str, int]:
    """Map values of a unique column (url or external_id) to article ids."""
    found: dict[str, int] = {}
    wanted = [v for v in dict.fromkeys(values) if v]
    for chunk in in_chunks(wanted):
        async with conn.execute(
            f"SELECT id, {column} AS k FROM articles WHERE {column} IN ({marks(chunk)})", chunk
        ) as cur:
            found.update({r["k"]: r["id"] for r in await cur.fetchall()})
    return found


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
                " published_at, updated_at, page_date) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.external_id,
                    article.url,
                    content_hash,
                    article.title,
                    article.body,
                    article.summary,
                    article.author,
                    article.image_url,
                    article.source,
                    status,
                    int(article.link_preview),
                    article.created_by,
                    ts,
                    published,
                    ts,
                    article.page_date.isoformat() if article.page_date else None,
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
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        )
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

    async def id_for_url(self, url: str) -> int | None:
        """The article published at this address, if any."""
        row = await self.db.fetchone("SELECT id FROM articles WHERE url = ?", (url,))
        return int(row["id"]) if row else None

    async def find_duplicate(self, url: str | None, content_hash: str) -> Article | None:
        """An earlier article with the same URL or the same text, if any."""
        row = await self.db.fetchone(
            "SELECT id FROM articles WHERE (url IS NOT NULL AND url = ?) OR content_hash = ?"
            " ORDER BY id LIMIT 1",
            (url, content_hash),
        )
        return await self.get(row["id"]) if row else None

    async def set_status(
        self,
        article_id: int,
        status: str,
        now: datetime,
        *,
        published_at: datetime | None = None,
        scheduled_at: datetime | None = None,
    ) -> None:
        """Move an article to a new status, stamping publication or schedule times."""
        await self.db.execute(
            "UPDATE articles SET status = ?, updated_at = ?,"
            " published_at = coalesce(?, published_at), scheduled_at = ? WHERE id = ?",
            (
                status,
                to_ts(now),
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
            "SELECT tag, count(*) AS n FROM article_tags"
            " GROUP BY tag ORDER BY n DESC, tag LIMIT ?",
            (limit,),
        )
        return [r["tag"] for r in rows]

    async def set_tags(self, article_id: int, tags: Sequence[str]) -> None:
        """Replace an article's tags (the admin picked its sections on the preview)."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM article_tags WHERE article_id = ?", (article_id,))
            await conn.executemany(
                "INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?, ?)",
                [(article_id, tag) for tag in tags],
            )

    # -- publishing, corrections and archive import (issue 4) ---------------------------------

    async def delete_draft(self, article_id: int) -> bool:
        """Delete an unpublished draft; False when it is not (or no longer) a draft."""
        count, _ = await self.db.execute(
            "DELETE FROM articles WHERE id = ? AND status = 'draft'", (article_id,)
        )
        return count > 0

    async def update_text(
        self, article_id: int, *, title: str, summary: str, content_hash: str, now: datetime
    ) -> None:
        """Correct an article's title and summary (the body stays as published)."""
        await self.db.execute(
            "UPDATE articles SET title = ?, summary = ?, content_hash = ?, updated_at = ?"
            " WHERE id = ?",
            (title, summary, content_hash, to_ts(now), article_id),
        )

    async def refuse_photo(self, article_id: int) -> None:
        """Remember that Telegram refused the article's lead image (it goes as text now)."""
        await self.db.execute("UPDATE articles SET photo_refused = 1 WHERE id = ?", (article_id,))

    async def import_batch(self, rows: Sequence[ImportRow], now: datetime) -> ImportBatchResult:
        """Insert or update archive articles in one transaction (url is the key, else id)."""
        keep, skipped = _dedupe_batch(rows)
        ts = to_ts(now)
        async with self.db.transaction() as conn:
            by_url = await _ids_by(conn, "url", [r.url for r in keep])
            by_ext = await _ids_by(conn, "external_id", [r.external_id for r in keep])
            inserts, updates = _classify(keep, by_url, by_ext, skipped)
            await conn.executemany(_IMPORT_INSERT, [_import_params(r, ts) for r in inserts])
            await conn.executemany(
                _IMPORT_UPDATE, [(*_import_params(r, ts)[:7], ts, i) for r, i in updates]
            )
            new_urls = await _ids_by(conn, "url", [r.url for r in inserts])
            new_exts = await _ids_by(
                conn, "external_id", [r.external_id for r in inserts if r.url is None]
            )
            tagged = [(i, r) for r, i in updates] + [
                (new_urls[r.url] if r.url else new_exts[r.external_id or ""], r) for r in inserts
            ]
            await conn.executemany(
                "DELETE FROM article_tags WHERE article_id = ?", [(i,) for _, i in updates]
            )
            await conn.executemany(
                "INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?, ?)",
                [(i, tag) for i, r in tagged for tag in r.tags],
            )
        return ImportBatchResult(len(inserts), len(updates), tuple(sorted(skipped)))
