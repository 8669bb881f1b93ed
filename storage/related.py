"""Related-article storage: the FTS5 index, term signatures and stored suggestion lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from storage.db import Database, in_chunks
from storage.models import from_ts, to_ts

# Only these articles are ever suggested to readers.
SUGGESTABLE = ("published", "archived")
# ...and never one with the content of a withdrawn article (a copy under another URL).
_COPY_OF_WITHDRAWN = (
    "EXISTS (SELECT 1 FROM articles w"
    " WHERE w.content_hash = a.content_hash AND w.status = 'withdrawn')"
)


@dataclass(frozen=True)
class ArticleText:
    """What relatedness is computed from."""

    id: int
    title: str
    body: str
    status: str
    url: str | None
    moment: datetime  # published_at, else created_at
    published: date | None  # the article's own date (its page's, else published), when known


@dataclass(frozen=True)
class Candidate:
    """A full-text match for an article's distinctive terms."""

    id: int
    title: str
    bm25: float  # FTS5's rank: lower (more negative) is better
    moment: datetime
    withdrawn: bool = False  # never suggested; its near-copies are not either


@dataclass(frozen=True)
class RelatedArticle:
    """One stored suggestion."""

    id: int
    url: str | None
    title: str
    score: float


@dataclass(frozen=True)
class RelatedState:
    """When an article's list was computed and how large the archive was then."""

    computed_at: datetime
    archive_size: int


def _own_date(page_date: str | None, published: int | None) -> date | None:
    if page_date:
        return date.fromisoformat(page_date)
    moment = from_ts(published)
    return moment.date() if moment else None


def _moment(published: int | None, created: int) -> datetime:
    value = from_ts(published if published is not None else created)
    assert value is not None  # noqa: S101 - created_at is NOT NULL
    return value


class RelatedRepository:
    """Plain SQL over articles_fts, related_signatures, related_state and related_articles."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def text(self, article_id: int) -> ArticleText | None:
        """An article's title, body, status and date."""
        rows = await self.texts([article_id])
        return rows[0] if rows else None

    async def texts(self, ids: Sequence[int]) -> list[ArticleText]:
        """Several articles' texts (missing ids skipped)."""
        found: list[ArticleText] = []
        for chunk in in_chunks(ids):
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                "SELECT id, title, body, status, url, published_at, created_at, page_date"
                " FROM articles"
                f" WHERE id IN ({marks})",
                chunk,
            )
            found += [
                ArticleText(
                    r["id"],
                    r["title"],
                    r["body"],
                    r["status"],
                    r["url"],
                    _moment(r["published_at"], r["created_at"]),
                    _own_date(r["page_date"], r["published_at"]),
                )
                for r in rows
            ]
        return found

    async def resolve(self, ref: str) -> int | None:
        """An article id from a reference: a number (id) or a URL."""
        if ref.isdecimal():
            row = await self.db.fetchone("SELECT id FROM articles WHERE id = ?", (int(ref),))
        else:
            row = await self.db.fetchone("SELECT id FROM articles WHERE url = ?", (ref,))
        return int(row["id"]) if row else None

    async def archive_size(self) -> int:
        """How many articles are indexed (every status: document frequencies count them all)."""
        row = await self.db.fetchone("SELECT count(*) AS n FROM articles")
        return int(row["n"]) if row else 0

    async def doc_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """How many articles contain each term (terms in no article are left out)."""
        found: dict[str, int] = {}
        for chunk in in_chunks(terms):
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                f"SELECT term, doc FROM articles_fts_vocab WHERE term IN ({marks})", chunk
            )
            found.update((r["term"], int(r["doc"])) for r in rows)
        return found

    async def all_doc_frequencies(self) -> dict[str, int]:
        """The document frequency of every indexed term (one pass, for bulk refreshes)."""
        rows = await self.db.fetchall("SELECT term, doc FROM articles_fts_vocab")
        return {r["term"]: int(r["doc"]) for r in rows}

    async def search(
        self, terms: Sequence[str], exclude: int, limit: int, title_weight: float
    ) -> list[Candidate]:
        """Suggestable articles matching any of the terms, best BM25 first, and the withdrawn
        ones among the matches (`withdrawn` set), so that near-copies of them can be dropped."""
        if not terms:
            return []
        # Terms come from our tokenizer (letters and digits only); quoting keeps FTS5
        # from reading words such as "and" or "near" as operators.
        query = " OR ".join(f'"{t}"' for t in terms)
        statuses = ",".join("?" * (len(SUGGESTABLE) + 1))
        rows = await self.db.fetchall(
            "SELECT a.id, a.title, a.published_at, a.created_at, a.status, m.score FROM"
            " (SELECT rowid AS id, bm25(articles_fts, ?, 1.0) AS score FROM articles_fts"
            "  WHERE articles_fts MATCH ? ORDER BY score LIMIT ?) AS m"
            f" JOIN articles a ON a.id = m.id WHERE a.id != ? AND a.status IN ({statuses})"
            f" AND (a.status = 'withdrawn' OR NOT {_COPY_OF_WITHDRAWN})"
            " ORDER BY m.score",
            (title_weight, query, limit + 8, exclude, *SUGGESTABLE, "withdrawn"),
        )
        found = [
            Candidate(
                r["id"],
                r["title"],
                float(r["score"]),
                _moment(r["published_at"], r["created_at"]),
                withdrawn=r["status"] == "withdrawn",
            )
            for r in rows
        ]
        return [c for c in found if not c.withdrawn][:limit] + [c for c in found if c.withdrawn]

    async def signatures(self, ids: Sequence[int]) -> dict[int, str]:
        """Stored term signatures of these articles."""
        found: dict[int, str] = {}
        for chunk in in_chunks(ids):
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                f"SELECT article_id, terms FROM related_signatures WHERE article_id IN ({marks})",
                chunk,
            )
            found.update((r["article_id"], r["terms"]) for r in rows)
        return found

    async def save_signatures(self, rows: Sequence[tuple[int, str]], now: datetime) -> None:
        """Store (article_id, signature) pairs in one transaction."""
        ts = to_ts(now)
        await self.db.executemany(
            "INSERT OR REPLACE INTO related_signatures (article_id, terms, signed_at)"
            " VALUES (?, ?, ?)",
            [(article_id, terms, ts) for article_id, terms in rows],
        )

    async def save_related(
        self,
        article_id: int,
        items: Sequence[tuple[int, float]],
        now: datetime,
        archive_size: int,
    ) -> None:
        """Replace an article's related list ((related_id, score), best first)."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM related_articles WHERE article_id = ?", (article_id,))
            await conn.executemany(
                "INSERT INTO related_articles (article_id, rank, related_id, score)"
                " VALUES (?, ?, ?, ?)",
                [(article_id, rank, rid, score) for rank, (rid, score) in enumerate(items)],
            )
            await conn.execute(
                "INSERT OR REPLACE INTO related_state (article_id, computed_at, archive_size)"
                " VALUES (?, ?, ?)",
                (article_id, to_ts(now), archive_size),
            )

    async def related(
        self, article_id: int, limit: int, floor: float = 0.0
    ) -> list[RelatedArticle]:
        """An article's stored suggestions still suggestable and scoring >= floor, best first."""
        statuses = ",".join("?" * len(SUGGESTABLE))
        rows = await self.db.fetchall(
            "SELECT a.id, a.url, a.title, r.score FROM related_articles r"
            " JOIN articles a ON a.id = r.related_id"
            f" WHERE r.article_id = ? AND a.status IN ({statuses}) AND r.score >= ?"
            f" AND NOT {_COPY_OF_WITHDRAWN} ORDER BY r.rank LIMIT ?",
            (article_id, *SUGGESTABLE, floor, limit),
        )
        return [RelatedArticle(r["id"], r["url"], r["title"], float(r["score"])) for r in rows]

    async def state(self, article_id: int) -> RelatedState | None:
        """When the article's list was computed, or None if it never was (or was invalidated)."""
        row = await self.db.fetchone(
            "SELECT computed_at, archive_size FROM related_state WHERE article_id = ?",
            (article_id,),
        )
        if row is None:
            return None
        computed = from_ts(row["computed_at"])
        assert computed is not None  # noqa: S101 - NOT NULL column
        return RelatedState(computed, int(row["archive_size"]))

    async def invalidate(self, ids: Sequence[int]) -> None:
        """Mark these articles' lists for recomputation on their next lookup."""
        for chunk in in_chunks(ids):
            marks = ",".join("?" * len(chunk))
            await self.db.execute(
                f"DELETE FROM related_state WHERE article_id IN ({marks})", chunk
            )

    async def suggestable_ids(self, *, missing_only: bool, after: int, limit: int) -> list[int]:
        """Ids of suggestable articles in id order, optionally only those without a list."""
        statuses = ",".join("?" * len(SUGGESTABLE))
        missing = (
            " AND NOT EXISTS (SELECT 1 FROM related_state s WHERE s.article_id = a.id)"
            if missing_only
            else ""
        )
        rows = await self.db.fetchall(
            f"SELECT a.id FROM articles a WHERE a.id > ? AND a.status IN ({statuses}){missing}"
            " ORDER BY a.id LIMIT ?",
            (after, *SUGGESTABLE, limit),
        )
        return [int(r["id"]) for r in rows]

    async def unsigned_ids(self, after: int, limit: int, current: str) -> list[int]:
        """Ids of articles without a signature in the current format, in id order."""
        mark = f"{current} "
        rows = await self.db.fetchall(
            "SELECT a.id FROM articles a WHERE a.id > ? AND NOT EXISTS"
            " (SELECT 1 FROM related_signatures s WHERE s.article_id = a.id"
            "  AND substr(s.terms, 1, ?) = ?)"
            " ORDER BY a.id LIMIT ?",
            (after, len(mark), mark, limit),
        )
        return [int(r["id"]) for r in rows]
