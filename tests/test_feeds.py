"""RSS feeds through the fake Bot API, served from 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from storage.models import Feed, PageProblem
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.fixtures.site import Site, article_page, rss, serve_site

PARAGRAPHS = [
    "The harbour board met on Monday and approved the plan after a long debate about costs.",
    "Engineers said the work would take six months and that the pier would stay open.",
    "Local traders welcomed the decision, saying visitors had been asking about it for years.",
]


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async with serve_site() as running:
        for slug in ("old", "fresh", "review"):
            running.pages[f"/{slug}"] = article_page(f"Page title {slug}", PARAGRAPHS)
        yield running


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s")
        await asyncio.sleep(0.05)


async def only_feed(bot: RunningBot) -> Feed:
    feeds = await bot.services.feeds.list()
    assert len(feeds) == 1
    return feeds[0]


async def start(fake: FakeBotAPI, start_bot: BotFactory, clock: FakeClock) -> RunningBot:
    bot = await start_bot(clock=clock, FEED_POLL_MINUTES="1")
    fake.send_text(READER_ID, "/start")
    await fake.wait_for_message(READER_ID)
    return bot


async def add_feed(fake: FakeBotAPI, site: Site, mode: str) -> SentMessage:
    fake.send_text(ADMIN_ID, f"/feeds add {site.url('/feed.xml')} {mode}")
    return await fake.wait_for_message(ADMIN_ID, timeout=10)


async def test_auto_feed_publishes_each_new_entry_once(
    fake: FakeBotAPI, start_bot: BotFactory, site: Site
) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    bot = await start(fake, start_bot, clock)
    old = ("g-old", site.url("/old"), "Old entry")
    site.feed = rss([old])
    added = await add_feed(fake, site, "auto")
    assert "Added feed 1" in added.text and "Test Ledger" in added.text
    site.feed = rss(
        [
            ("g-fresh", site.url("/fresh"), "Fresh entry"),
            ("g-gone", site.url("/gone"), "Summary only entry"),  # 404: the feed summary is used
            old,
        ]
    )
    clock.advance(timedelta(minutes=2))
    first = await fake.wait_for_message(READER_ID, timeout=10)
    assert "Page title fresh" in first.text and "harbour board" in first.text
    # The entry whose page is missing is not published with a dead link: the admins review it.
    held = await fake.wait_for_message(
        ADMIN_ID, predicate=lambda m: "Summary only entry" in m.text, timeout=10
    )
    assert held.text.startswith("👁 Preview of draft")
    assert "From the feed Test Ledger (auto, held for review)" in held.text
    assert "could not be used (The server answered 404)" in held.text
    assert "Summary of Summary only entry" in held.text
    assert any(d.startswith("pb:now:") for d in held.button_data())
    polled = (await only_feed(bot)).last_polled_at
    clock.advance(timedelta(minutes=2))

    async def polled_again() -> bool:
        return (await only_feed(bot)).last_polled_at != polled

    await until(polled_again, "a second poll")
    await asyncio.sleep(0.3)
    assert len(fake.messages(READER_ID)) == 2  # welcome + one article, nothing repeated
    rows = await bot.storage.db.fetchall("SELECT title, status FROM articles ORDER BY id")
    assert [(r["title"], r["status"]) for r in rows] == [
        ("Summary only entry", "draft"),
        ("Page title fresh", "published"),
    ]
    fake.assert_no_errors()


async def test_review_feed_sends_previews_to_admins(
    fake: FakeBotAPI, start_bot: BotFactory, site: Site
) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    bot = await start(fake, start_bot, clock)
    site.feed = rss([])
    await add_feed(fake, site, "review")
    site.feed = rss([("g-review", site.url("/review"), "Review entry")])
    clock.advance(timedelta(minutes=2))
    preview = await fake.wait_for_message(
        ADMIN_ID,
        predicate=lambda m: any(d.startswith("pb:now:") for d in m.button_data()),
        timeout=10,
    )
    assert "Page title review" in preview.text
    assert "From the feed Test Ledger (review)." in preview.text
    assert "could not be used" not in preview.text  # the page was fine
    assert len(fake.messages(READER_ID)) == 1  # nothing before the admin confirms
    data = next(d for d in preview.button_data() if d.startswith("pb:now:"))
    query = fake.press_button(ADMIN_ID, ADMIN_ID, preview.message_id, data)
    await fake.wait_for_callback_answer(query)
    delivered = await fake.wait_for_message(READER_ID)
    assert "Page title review" in delivered.text
    article = await bot.storage.articles.get(int(data.rsplit(":", 1)[1]))
    assert article is not None and article.source == "feed" and "local" in article.tags
    fake.assert_no_errors()


async def test_failing_feed_is_reported_once_then_recovers(
    fake: FakeBotAPI, start_bot: BotFactory, site: Site
) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    bot = await start(fake, start_bot, clock)
    site.feed = rss([])
    await add_feed(fake, site, "auto")
    site.feed_status = 500
    for failures in range(1, 5):
        clock.advance(timedelta(minutes=10))  # past the backoff after each failure

        async def failed(n: int = failures) -> bool:
            return (await only_feed(bot)).consecutive_failures >= n

        await until(failed, f"failure {failures}")
    warning = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "failed" in m.text)
    assert "3 times in a row" in warning.text and "500" in warning.text
    assert "/feeds remove 1" in warning.text
    assert sum("failed" in m.text for m in fake.messages(ADMIN_ID)) == 1  # reported once
    listing_text = "⚠️"
    fake.send_text(ADMIN_ID, "/feeds")
    listing = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "Feeds" in m.text)
    assert listing_text in listing.text and "4 in a row" in listing.text
    site.feed_status = 200
    clock.advance(timedelta(minutes=10))
    recovered = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "works again" in m.text)
    assert "Test Ledger" in recovered.text


async def test_feeds_command_add_list_remove_and_refusals(
    fake: FakeBotAPI, start_bot: BotFactory, site: Site
) -> None:
    bot = await start_bot()
    site.feed = rss([])
    fake.send_text(ADMIN_ID, f"/feeds add {site.url('/nothing.xml')}")
    answer = await fake.wait_for_message(ADMIN_ID, timeout=10)
    assert "404" in answer.text
    fake.send_text(ADMIN_ID, f"/feeds add {site.url('/feed.xml')} sometimes")
    assert "auto or review" in (await fake.wait_for_message(ADMIN_ID)).text
    added = await add_feed(fake, site, "")
    assert "(review)" in added.text
    fake.send_text(ADMIN_ID, f"/feeds add {site.url('/feed.xml')} auto")
    assert "already in the list as number 1" in (await fake.wait_for_message(ADMIN_ID)).text
    fake.send_text(ADMIN_ID, "/feeds")
    listing = await fake.wait_for_message(ADMIN_ID)
    assert "1. <b>Test Ledger</b> · review" in listing.raw_text
    fake.send_text(READER_ID, "/feeds remove 1")
    assert "admins" in (await fake.wait_for_message(READER_ID)).text
    fake.send_text(ADMIN_ID, "/feeds remove 7")
    assert "no feed number 7" in (await fake.wait_for_message(ADMIN_ID)).text
    fake.send_text(ADMIN_ID, "/feeds remove 1")
    assert "Removed" in (await fake.wait_for_message(ADMIN_ID)).text
    assert await bot.services.feeds.list() == []
    fake.assert_no_errors()


async def test_a_long_feed_list_is_split_not_refused(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    from storage.feeds import FeedRepository

    bot = await start_bot()
    repo = FeedRepository(bot.storage.db)
    now = bot.clock.now()
    for n in range(40):
        feed = await repo.add(
            f"https://feeds{n}.example.test/" + "x" * 150, "review", "T" * 100, ADMIN_ID, [], now
        )
        await repo.record_failure(feed.id, PageProblem("other", detail="Down. " * 60), now)
    fake.send_text(ADMIN_ID, "/feeds")
    first = await fake.wait_for_message(ADMIN_ID)
    await fake.wait_until(lambda: "/feeds remove" in fake.messages(ADMIN_ID)[-1].text)
    texts = [m.text for m in fake.messages(ADMIN_ID) if m.message_id >= first.message_id]
    assert len(texts) > 1
    assert "40. " in "\n".join(texts)
    fake.assert_no_errors()


async def test_held_entry_keeps_its_reason_across_a_restart(
    fake: FakeBotAPI, start_bot: BotFactory, site: Site
) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    bot = await start_bot(clock=clock, FEED_POLL_MINUTES="1", SECTIONS="Local, Sport")
    fake.send_text(READER_ID, "/start")
    await fake.wait_for_message(READER_ID)
    site.feed = rss([])
    await add_feed(fake, site, "auto")
    site.feed = rss([("g-gone", site.url("/gone"), "Summary only entry")])
    clock.advance(timedelta(minutes=2))
    held = await fake.wait_for_message(
        ADMIN_ID, predicate=lambda m: "Summary only entry" in m.text, timeout=10
    )
    article_id = int(next(d for d in held.button_data() if d.startswith("pb:now:"))[7:])
    await bot.stop()
    await start_bot(clock=clock, FEED_POLL_MINUTES="1", SECTIONS="Local, Sport")
    # The preview is drawn again after the restart (a section pressed): the reason is kept.
    query = fake.press_button(ADMIN_ID, ADMIN_ID, held.message_id, f"pb:s:{article_id}:1")
    await fake.wait_for_callback_answer(query)
    await fake.wait_until(lambda: "#sport (tap to change)" in held.text, what="re-drawn")
    assert "(auto, held for review)" in held.text and "could not be used" in held.text
    assert len(fake.messages(READER_ID)) == 1  # the welcome only: nothing reached the reader
    fake.assert_no_errors()
