"""Related-article computation and storage on real SQLite files, plus the two CLI commands."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.clock import FakeClock
from bot.services.readers.related import RelatedService
from bot.services.readers.similarity import cosine, decode, encode, tokens
from storage.articles import ArticleRepository
from storage.comments import CommentRepository, NewComment
from storage.db import Database
from storage.models import Article, NewArticle
from storage.related import RelatedRepository
from tests.test_related import ARCHIVE, NEW, content_hash

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def add(
    db: Database,
    title: str,
    body: str,
    *,
    status: str = "archived",
    when: datetime | None = None,
    url: str | None = None,
) -> Article:
    """Store one article."""
    new = NewArticle(title=title, body=body, summary="", url=url, published_at=when)
    return await ArticleRepository(db).create(
        new, content_hash=content_hash(title, body), status=status, now=NOW
    )


def service(db: Database, clock: FakeClock | None = None) -> RelatedService:
    """A fresh service (no cached sizes or frequencies)."""
    return RelatedService(RelatedRepository(db), clock or FakeClock(NOW))


async def test_index_follows_inserts_edits_and_deletes(db: Database) -> None:
    repo = RelatedRepository(db)
    article = await add(db, "Volcano erupts", "Lava reached the village")
    assert [c.id for c in await repo.search(["lava"], 0, 5, 2.0)] == [article.id]
    await db.execute(
        "UPDATE articles SET body = 'Ash covered the fields' WHERE id = ?", (article.id,)
    )
    assert await repo.search(["lava"], 0, 5, 2.0) == []
    assert [c.id for c in await repo.search(["ash"], 0, 5, 2.0)] == [article.id]
    assert await repo.doc_frequencies(["ash", "volcano", "nothing"]) == {"ash": 1, "volcano": 1}
    await db.execute("DELETE FROM articles WHERE id = ?", (article.id,))
    assert await repo.search(["ash"], 0, 5, 2.0) == []


def test_tokens_fold_case_accents_and_stop_words() -> None:
    assert tokens("The Café in Zürich, and ITS 2024 budget_plan!") == [
        "cafe", "zurich", "2024", "budget", "plan",
    ]  # fmt: skip
    sig = {"storm": 0.8, "harbour": 0.6}
    assert decode(encode(sig, "v3/1"), "v3/1") == sig
    assert cosine(sig, sig) == pytest.approx(1.0)


async def test_related_finds_topic_neighbours_not_self_drafts_or_duplicates(
    db: Database,
) -> None:
    stored = [await add(db, t, b) for t, b in ARCHIVE]
    draft = await add(db, "Harbour bridge storm cables draft", NEW[1], status="draft")
    duplicate = await add(db, NEW[0], NEW[1] + " Updated.")
    new = await add(db, *NEW, status="published")
    items = await service(db).refresh(new.id)
    ids = [i for i, _ in items]
    assert ids[:2] in ([stored[0].id, stored[1].id], [stored[1].id, stored[0].id])
    assert new.id not in ids and draft.id not in ids and duplicate.id not in ids
    assert all(a >= b for (_, a), (_, b) in itertools.pairwise(items))
    shown = await RelatedRepository(db).related(new.id, 3)
    assert [r.id for r in shown] == ids[:3]
    assert shown[0].title in (stored[0].title, stored[1].title)


async def test_recency_breaks_a_tie(db: Database) -> None:
    # A and B are exactly as similar to the query (mirror images), so only age differs.
    query = await add(db, "Qword", "storm harbour bridge ferry", status="published")
    old, new = NOW - timedelta(days=300), NOW - timedelta(days=1)
    a = await add(db, "Aword", "storm harbour kiwi", when=old)
    b = await add(db, "Bword", "bridge ferry lime", when=new)
    items = await service(db).compute(query.id)
    assert [i for i, _ in items] == [b.id, a.id]
    await db.execute(
        "UPDATE articles SET published_at = ? WHERE id = ?", (int(new.timestamp()), a.id)
    )
    await db.execute(
        "UPDATE articles SET published_at = ? WHERE id = ?", (int(old.timestamp()), b.id)
    )
    assert [i for i, _ in await service(db).compute(query.id)] == [a.id, b.id]


async def test_stored_lists_are_refreshed_when_stale(db: Database) -> None:
    base = await add(db, "Harbour bridge storm", "storm harbour bridge cables engineers")
    for i in range(9):
        await add(db, f"Filler {i}", f"gardening tomatoes compost number{i}")
    clock = FakeClock(NOW)
    assert await service(db, clock).related(base.id) == []
    # One more article is exactly 10%: the list is still fresh, so the new one is not seen.
    quiet = await add(db, "Bridge engineers", "harbour bridge engineers inspect cables")
    assert await service(db, clock).related(base.id) == []
    later = await add(db, "Storm closes harbour bridge", "storm harbour bridge cables closed")
    assert [r.id for r in await service(db, clock).related(base.id)] == [later.id, quiet.id]
    # Nothing grows, but a week passes: recomputed too (a deleted row shows it was).
    await db.execute("DELETE FROM related_articles WHERE article_id = ?", (base.id,))
    assert await service(db, clock).related(base.id) == []
    clock.advance(timedelta(days=8))
    assert [r.id for r in await service(db, clock).related(base.id)] == [later.id, quiet.id]


async def test_publish_hook_invalidates_neighbours_and_bulk_refresh(db: Database) -> None:
    stored = [await add(db, t, b) for t, b in ARCHIVE]
    svc = service(db)
    assert await svc.refresh_missing() == len(stored)
    repo = RelatedRepository(db)
    assert await repo.state(stored[0].id) is not None
    new = await add(db, *NEW, status="published")
    await svc.article_changed(new)
    assert {r.id for r in await repo.related(new.id, 3)} == {stored[0].id, stored[1].id}
    # The bridge stories will pick up the new one on their next lookup.
    assert await repo.state(stored[0].id) is None and await repo.state(stored[1].id) is None
    assert await repo.state(stored[2].id) is not None
    assert new.id in [r.id for r in await svc.related(stored[0].id)]
    assert await svc.refresh_all() == len(stored) + 1


async def _fill(path: Path) -> tuple[int, int]:
    db = await Database.open(path)
    try:
        stored = [
            await add(db, t, b, url=f"https://news.example/{i}")
            for i, (t, b) in enumerate(ARCHIVE)
        ]
        comments = CommentRepository(db)
        for i, text in enumerate(['First, "quoted"', "Second\nline"]):
            new = NewComment(stored[0].id, 5, 10 + i, 7, "Rita", text, "visible")
            await comments.add(new, NOW)
        await comments.add(NewComment(stored[2].id, 5, 20, 8, "Otto", "Other", "hidden"), NOW)
        return stored[0].id, stored[2].id
    finally:
        await db.close()


def test_cli_related_json_lines_and_unknown_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cli.db"
    first, _ = asyncio.run(_fill(path))
    status = main(
        [
            "related",
            str(first),
            "https://news.example/2",
            "nope",
            "--json",
            "--limit",
            "2",
            "--db",
            str(path),
        ]
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1
    assert [line["article"] for line in lines] == [str(first), "https://news.example/2", "nope"]
    assert lines[0]["related"][0]["id"] == first + 1
    assert lines[0]["related"][0]["url"] == "https://news.example/1"
    assert set(lines[0]["related"][0]) == {"id", "url", "title", "score"}
    assert lines[1]["related"][0]["title"] == ARCHIVE[3][0]
    assert "error" in lines[2] and "related" not in lines[2]
    assert main(["related", str(first), "--limit", "0", "--db", str(path)]) == 2


def test_cli_export_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.db"
    first, _ = asyncio.run(_fill(path))
    assert main(["export-comments", "--db", str(path)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["text"] for r in rows] == ['First, "quoted"', "Second\nline", "Other"]
    assert rows[2]["status"] == "hidden" and rows[0]["user_name"] == "Rita"
    assert (
        main(["export-comments", "--article", str(first), "--format", "jsonl", "--db", str(path)])
        == 0
    )
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["text"] for x in lines] == ['First, "quoted"', "Second\nline"]
    assert lines[0]["created_at"] == NOW.isoformat()
