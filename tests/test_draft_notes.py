"""Draft notes as data: a failed page's error carries its reason code (set where it is raised)
over real HTTP on 127.0.0.1, notes round-trip through SQLite, notes stored in English before
migration 0013 are read back as data (or shown as they are), and each reads in the admin's
language."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.i18n import using
from bot.services.ingest.problems import describe
from bot.services.publishing.drafts import PageError, load_url
from bot.services.publishing.preview import note_lines
from storage.db import Database, load_migrations
from storage.draft_notes import DraftNoteRepository
from storage.models import DraftNote, FeedOrigin, PageProblem
from tests.fixtures.site import Site, article_page, rss, serve_site

HELD = "the feed {} (auto, held for review)"
PAGE_FAILED = (
    "The linked page could not be used ({}): this is the feed's own summary, and its link may"
    " be dead. Check before publishing."
)


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async with serve_site() as running:
        running.pages["/menu"] = article_page("Menu", ["Home"])  # too little text to be news
        running.redirects["/loop"] = "/loop"
        running.feed = rss([])
        yield running


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/gone", PageProblem("http_status", status=404)),
        ("/feed.xml", PageProblem("not_a_page", detail="application/rss+xml")),
        ("/menu", PageProblem("no_article")),
        ("/loop", PageProblem("too_many_redirects", detail="3")),
    ],
)
async def test_a_page_that_cannot_be_used_is_given_a_reason_code(
    site: Site, path: str, expected: PageProblem
) -> None:
    with pytest.raises(PageError) as caught:
        await load_url(site.url(path), allow_private=True)
    assert caught.value.problem == expected


async def test_unreachable_and_refused_addresses_have_reasons_too() -> None:
    with pytest.raises(PageError) as caught:
        await load_url(f"http://127.0.0.1:{closed_port()}/x", allow_private=True)
    assert caught.value.problem == PageProblem("unreachable")
    with pytest.raises(PageError) as caught:
        await load_url("http://127.0.0.1/x", allow_private=False)
    assert caught.value.problem == PageProblem("private_address")
    with pytest.raises(PageError) as caught:
        await load_url("gopher://127.0.0.1/x", allow_private=True)
    assert caught.value.problem == PageProblem("unsupported_scheme")


async def test_the_errors_sentence_is_its_problem_worded_in_the_current_language(
    site: Site,
) -> None:
    with using("ru"), pytest.raises(PageError) as caught:
        await load_url(site.url("/loop"), allow_private=True)
    assert str(caught.value) == "Ссылка перенаправляет слишком много раз (больше 3)."
    assert str(caught.value) == describe_in("ru", caught.value.problem)
    with pytest.raises(PageError) as caught:
        await load_url(site.url("/gone"), allow_private=True)
    assert str(caught.value) == "The server answered 404."


def describe_in(language: str, problem: PageProblem) -> str:
    with using(language):
        return describe(problem)


@pytest.mark.parametrize(
    ("problem", "russian"),
    [
        (PageProblem("http_status", status=503), "Сервер ответил 503."),
        (PageProblem("timeout"), "Сайт слишком долго не отвечал."),
        (PageProblem("unreachable"), "удалось подключиться к сайту."),
        (PageProblem("not_a_page", detail="application/pdf"), "Эта ссылка — не веб-страница"),
        (PageProblem("no_article"), "этой странице не найдено статьи."),
        (PageProblem("no_title"), "страницы нет заголовка."),
        (PageProblem("too_many_redirects", detail="3"), "слишком много раз (больше 3)."),
        (PageProblem("page_too_large", detail="2"), "Страница больше 2 МБ."),
        (PageProblem("not_a_feed", detail="text/csv"), "Эта ссылка — не лента (text/csv)."),
        (PageProblem("not_a_page"), "не веб-страница (неизвестный тип)."),
        (PageProblem("private_address"), "Этот адрес ведёт в частную сеть"),
        (PageProblem("invalid_address"), "Это неверный веб-адрес."),
        (PageProblem("other"), "удалось загрузить сайт."),
        # Notes stored as the fetcher's English sentence (migration 0013): its msgid, or as is.
        (PageProblem("other", detail="Could not connect to the site."), "удалось подключиться"),
        (PageProblem("other", detail="Something odd."), "Something odd."),
    ],
)
def test_each_reason_reads_in_russian(problem: PageProblem, russian: str) -> None:
    with using("ru"):
        assert russian in describe(problem)


async def test_a_note_round_trips_and_outlives_its_feed_not_its_draft(db: Database) -> None:
    await db.execute(
        "INSERT INTO feeds (id, url, mode, title, created_at) VALUES"
        " (3, 'https://ledger.test/rss', 'auto', 'Ledger', 1)"
    )
    await db.execute(
        "INSERT INTO articles (id, content_hash, title, body, status, created_at, updated_at)"
        " VALUES (9, 'h', 'T', 'B', 'draft', 1, 1)"
    )
    notes = DraftNoteRepository(db)
    note = DraftNote(
        FeedOrigin("Ledger", "https://ledger.test/rss", "auto", 3), PageProblem("http_status", 410)
    )
    await notes.set(9, note)
    assert await notes.get(9) == note
    assert await notes.get(10) == DraftNote()
    await db.execute("DELETE FROM feeds WHERE id = 3")
    assert await notes.get(9) == DraftNote(
        FeedOrigin("Ledger", "https://ledger.test/rss", "auto", None), note.problem
    )
    await db.execute("DELETE FROM articles WHERE id = 9")
    assert await db.fetchall("SELECT * FROM draft_notes") == []


async def test_notes_stored_in_english_before_0013_are_read_back_as_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "before_0013.db"
    db = await Database.open(path, migrate=False)
    await db.migrate([m for m in load_migrations() if m.version < 13])
    old = [
        (1, HELD.format("City (News)"), PAGE_FAILED.format("The server answered 404")),
        (2, "the feed https://ledger.test/rss (review)", ""),
        (3, "the feed Port (auto)", PAGE_FAILED.format("The site took too long to answer")),
        (4, "a pigeon", "Mind the weather."),  # not written by the code: kept as it is
        (5, "", ""),
    ]
    for article_id, origin, problem in old:
        await db.execute(
            "INSERT INTO articles (id, content_hash, title, body, status, created_at,"
            " updated_at) VALUES (?, ?, 'T', 'B', 'draft', 1, 1)",
            (article_id, f"h{article_id}"),
        )
        await db.execute(
            "INSERT INTO draft_notes (article_id, origin, problem) VALUES (?, ?, ?)",
            (article_id, origin, problem),
        )
    await db.close()
    db = await Database.open(path)
    try:
        notes = [await DraftNoteRepository(db).get(n) for n in range(1, 6)]
    finally:
        await db.close()
    assert notes == [
        DraftNote(FeedOrigin("City (News)", "", "auto"), PageProblem("http_status", 404)),
        DraftNote(FeedOrigin("", "https://ledger.test/rss", "review")),
        DraftNote(
            FeedOrigin("Port", "", "auto"),
            PageProblem("other", detail="The site took too long to answer."),
        ),
        DraftNote(legacy_origin="a pigeon", legacy_problem="Mind the weather."),
        DraftNote(),
    ]
    with using("ru"):
        lines = [note_lines(note) for note in notes]
    assert lines[0][0] == "📡 Из ленты City (News) (auto, задержано для проверки)."
    assert lines[0][1].startswith("⚠️ Страницу по ссылке не удалось использовать (Сервер")
    assert "(Сервер ответил 404): это аннотация" in lines[0][1]
    assert lines[1] == ["📡 Из ленты https://ledger.test/rss (review)."]
    assert "(Сайт слишком долго не отвечал)" in lines[2][1]
    assert lines[3] == ["📡 Из a pigeon.", "⚠️ Mind the weather."]
    assert lines[4] == []
