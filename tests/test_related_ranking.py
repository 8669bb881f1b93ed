"""Related suggestions tell a story from its siblings, keep a floor and never show withdrawn
articles or their copies (real SQLite files, the real service, and the `newsbot` commands)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.clock import FakeClock
from bot.services.publishing.drafts import content_hash
from bot.services.readers.related import RelatedService
from bot.services.readers.similarity import (
    FLOOR,
    Ranking,
    cosine,
    decode,
    encode,
    signature,
    signature_format,
)
from storage.articles import ArticleRepository
from storage.db import Database
from storage.models import Article, NewArticle
from storage.related import RelatedRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

QUAKE = (
    "Earthquake of magnitude 6.1 strikes near Valparaíso",
    "An earthquake of magnitude 6.1 struck near Valparaíso on Tuesday, Chile's emergency office "
    "said. Rescuers searched collapsed houses in Viña del Mar, and President Gabriel Boric "
    "flew to the region. The earthquake damaged roads and the port.",
)
# The same event, reported with other words: it shares the who and where, not the wording.
SAME_EVENT = (
    "Boric visits Viña del Mar after Valparaíso tremor",
    "President Gabriel Boric toured Viña del Mar, where the 6.1 magnitude tremor of Tuesday "
    "left families homeless. Valparaíso port reopened.",
)
# Another earthquake: the same kind of event in its own words, but none of its people or places.
SIBLING = (
    "Earthquake strikes, rescuers search collapsed houses",
    "An earthquake struck near Sendai on Tuesday, the emergency office said. Rescuers searched "
    "collapsed houses, the earthquake damaged roads and the port, and Prime Minister Fumio "
    "Kishida flew to the region.",
)
UNRELATED = (
    "Port city hosts a jazz festival",
    "A jazz festival opened in the old town, the tourist office said, with brass bands and a "
    "parade past the houses near the harbour. Bakers sold pastries to visitors.",
)

LONELY = (
    "Chess club elects a new chair",
    "The chess club elected its chair, and members planned a tournament for the spring in "
    "their office.",
)

# Everyday news around them, so that word frequencies mean what they do in a real archive:
# "said", "office", "houses", "near", "town" are common words there, not shared subjects.
ARCHIVE = [
    (f"Council report {n}", f"The council office said on {day} that {n} new houses near the "
     f"old town would be built, and the region would pay for roads and a search for land.")
    for n, day in enumerate(("Monday", "Tuesday", "Friday", "Sunday", "Thursday", "Saturday"))
]  # fmt: skip


async def add(
    db: Database, title: str, body: str, *, status: str = "archived", url: str | None = None
) -> Article:
    """Store one article."""
    new = NewArticle(title=title, body=body, summary="", url=url)
    return await ArticleRepository(db).create(
        new, content_hash=content_hash(title, body), status=status, now=NOW
    )


def service(db: Database, ranking: Ranking | None = None) -> RelatedService:
    """A fresh service with the shipped ranking unless one is given."""
    return RelatedService(RelatedRepository(db), FakeClock(NOW), ranking)


async def test_same_event_outranks_a_sibling_that_shares_more_words(db: Database) -> None:
    query = await add(db, *QUAKE, status="published")
    same = await add(db, *SAME_EVENT)
    sibling = await add(db, *SIBLING)
    for i in range(8):  # an archive around them, so that frequencies mean something
        await add(db, f"Council budget {i}", f"The council voted on the budget for year {i}.")
    words_only = await service(db, Ranking(entity_weight=0.0, floor=0.0)).compute(query.id)
    assert [i for i, _ in words_only][:2] == [sibling.id, same.id]  # wording alone is fooled
    ranked = await service(db).compute(query.id)
    assert [i for i, _ in ranked][:2] == [same.id, sibling.id]


async def test_below_the_floor_fewer_suggestions_or_none(db: Database) -> None:
    query = await add(db, *QUAKE, status="published")
    same = await add(db, *SAME_EVENT)
    unrelated = await add(db, *UNRELATED)
    for title, body in ARCHIVE:
        await add(db, title, body)
    everything = await service(db, Ranking(floor=0.0)).compute(query.id)
    low = dict(everything)[unrelated.id]
    assert 0 < low < FLOOR  # it shares a few words ("office", "houses", "near"), nothing else
    assert [i for i, _ in await service(db).refresh(query.id)][:1] == [same.id]
    shown = [r.id for r in await service(db).related(query.id)]
    assert shown[:1] == [same.id] and unrelated.id not in shown
    # An article about something else that shares only a word or two: none at all.
    lonely = await add(db, *LONELY, status="published")
    weak = await service(db, Ranking(floor=0.0)).compute(lonely.id)
    assert weak and all(0 < score < FLOOR for _, score in weak)
    assert await service(db).related(lonely.id) == []


async def test_stored_lists_keep_the_floor_when_read(db: Database) -> None:
    query = await add(db, *QUAKE, status="published")
    same = await add(db, *SAME_EVENT)
    unrelated = await add(db, *UNRELATED)
    # A list stored by an older version, without the floor: the weak one is not shown.
    repo = RelatedRepository(db)
    await repo.save_related(query.id, [(same.id, 0.5), (unrelated.id, 0.037)], NOW, 3)
    assert [r.id for r in await service(db).related(query.id)] == [same.id]


async def test_signatures_of_an_older_version_are_signed_again(db: Database) -> None:
    article = await add(db, *QUAKE)
    repo = RelatedRepository(db)
    await repo.save_signatures([(article.id, "v2 earthquake 700 valparaiso 714")], NOW)
    mark = signature_format(Ranking().entity_weight)
    assert decode("v2 earthquake 700 valparaiso 714", mark) is None
    assert await service(db).sign_missing() == 1
    stored = decode((await repo.signatures([article.id]))[article.id], mark)
    assert stored is not None and "n:boric" in stored and "f:6.1" in stored
    assert await service(db).sign_missing() == 0
    # Another entity weight is another format: signed again too.
    assert await service(db, Ranking(entity_weight=2.0)).sign_missing() == 1


def test_signature_round_trip_and_one_vector() -> None:
    sig = {"quake": 0.6, "port": 0.48, "n:boric": 0.48, "n:vina_del_mar": 0.64}
    assert decode(encode(sig, "v3/1"), "v3/1") == sig
    assert decode(encode({}, "v3/1"), "v3/1") == {}
    words, names = {"quake": 2, "port": 1}, {"n:boric": 1}
    plain = signature(words, {}, 10, names, entity_weight=0.0)
    assert set(plain) == {"quake", "port"}
    both = signature(words, {}, 10, names, entity_weight=1.0)
    assert sum(w * w for w in both.values()) == pytest.approx(1.0)
    assert cosine(both, both) == pytest.approx(1.0)
    assert cosine(plain, {"n:boric": 1.0}) == 0.0 < cosine(both, {"n:boric": 1.0})


async def _withdrawn_and_neighbour(path: Path) -> tuple[int, int]:
    db = await Database.open(path)
    try:
        withdrawn = await add(db, *SAME_EVENT, status="published", url="https://news.example/a")
        await ArticleRepository(db).set_status(withdrawn.id, "withdrawn", NOW)
        query = await add(db, *QUAKE, status="published", url="https://news.example/q")
        return withdrawn.id, query.id
    finally:
        await db.close()


def test_withdrawn_article_imported_under_another_url_is_never_suggested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "news.db"
    withdrawn, query = asyncio.run(_withdrawn_and_neighbour(path))
    archive = tmp_path / "archive.jsonl"
    rows = [
        {"url": "https://mirror.example/copy", "title": SAME_EVENT[0], "body": SAME_EVENT[1]},
        {"url": "https://mirror.example/sibling", "title": SIBLING[0], "body": SIBLING[1]},
    ]
    archive.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["import", str(archive), "--db", str(path)]) == 0
    capsys.readouterr()
    assert main(["related", str(query), "--json", "--db", str(path)]) == 0
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    urls = [r["url"] for r in line["related"]]
    assert "https://mirror.example/copy" not in urls and withdrawn not in urls
    assert urls == ["https://mirror.example/sibling"]


async def test_a_near_copy_of_a_withdrawn_article_is_not_suggested(db: Database) -> None:
    withdrawn = await add(db, *SAME_EVENT, status="published", url="https://news.example/a")
    await ArticleRepository(db).set_status(withdrawn.id, "withdrawn", NOW)
    # Re-imported elsewhere with a line of the page's furniture: not the same content hash.
    copy = await add(db, SAME_EVENT[0], SAME_EVENT[1] + "\nShare this article.", url="https://m/c")
    sibling = await add(db, *SIBLING)
    query = await add(db, *QUAKE, status="published")
    ranked = [i for i, _ in await service(db, Ranking(floor=0.0)).compute(query.id)]
    assert copy.id not in ranked and withdrawn.id not in ranked
    assert ranked == [sibling.id]


WIRE_HEADLINE = "Boric visits quake-hit Viña del Mar"
# Two outlets' own reports of the same event under the same wire headline: not copies.
REPORT_ONE = (
    "President Gabriel Boric walked through Viña del Mar on Wednesday, a day after the 6.1 "
    "magnitude earthquake, and promised emergency housing for families whose homes fell."
)
REPORT_TWO = (
    "Gabriel Boric met rescuers in Viña del Mar and at Valparaíso's damaged port, where "
    "cranes stood idle after the 6.1 tremor; the president said repairs would start at once."
)
MIRRORED = REPORT_ONE + "\nShare this article."


def test_reports_sharing_a_headline_are_both_suggested_and_a_copy_only_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "news.db"
    rows = [
        {"url": "https://news.example/q", "title": QUAKE[0], "body": QUAKE[1]},
        {"url": "https://one.example/a", "title": WIRE_HEADLINE, "body": REPORT_ONE},
        {"url": "https://two.example/b", "title": WIRE_HEADLINE, "body": REPORT_TWO},
        # The first report again elsewhere, with a line of page furniture: the same text.
        {"url": "https://mirror.example/a", "title": WIRE_HEADLINE, "body": MIRRORED},
        {"url": "https://news.example/jazz", "title": UNRELATED[0], "body": UNRELATED[1]},
    ] + [
        {"url": f"https://news.example/c{n}", "title": t, "body": b}
        for n, (t, b) in enumerate(ARCHIVE)
    ]
    archive = tmp_path / "archive.jsonl"
    archive.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["import", str(archive), "--db", str(path)]) == 0
    capsys.readouterr()
    assert main(["related", "https://news.example/q", "--json", "--db", str(path)]) == 0
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    urls = [r["url"] for r in line["related"]]
    assert "https://two.example/b" in urls
    assert len({"https://one.example/a", "https://mirror.example/a"} & set(urls)) == 1
    assert "https://news.example/jazz" not in urls


async def test_a_withdrawn_headline_under_a_rewritten_text_is_not_suggested(db: Database) -> None:
    withdrawn = await add(db, *SAME_EVENT, status="published", url="https://news.example/a")
    await ArticleRepository(db).set_status(withdrawn.id, "withdrawn", NOW)
    # The same headline elsewhere over a rewritten text: too far for a copy of its words.
    rewrite = await add(db, SAME_EVENT[0] + "!", REPORT_TWO, url="https://m/r")
    report = await add(db, WIRE_HEADLINE, REPORT_TWO, url="https://two.example/b")
    query = await add(db, *QUAKE, status="published")
    ranked = [i for i, _ in await service(db, Ranking(floor=0.0)).compute(query.id)]
    assert rewrite.id not in ranked and withdrawn.id not in ranked
    assert report.id in ranked
