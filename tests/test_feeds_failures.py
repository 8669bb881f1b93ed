"""A feed's failed poll is kept as data (a reason code with its values) and worded when an
admin reads it: /feeds and the failure report read in each admin's own language, whoever's
language the poll ran in; failures stored as sentences before migration 0014 are read back as
data when they can be, and shown as they were stored otherwise."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FakeClock
from storage.db import Database, load_migrations
from storage.models import PageProblem
from tests.conftest import ADMIN_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.fixtures.site import rss, serve_site
from tests.helpers import feed_admins

EN_ADMIN = 3003
NOT_A_FEED = b"<html><head><title>Moved</title></head><body><p>No feed here.</p></body></html>"


async def failures_reach(bot: RunningBot, count: int) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while (await bot.services.feeds.list())[0].consecutive_failures < count:
        assert asyncio.get_running_loop().time() < deadline, f"failure {count} did not happen"
        await asyncio.sleep(0.05)


async def listing(fake: FakeBotAPI, admin: int) -> SentMessage:
    fake.send_text(admin, "/feeds")
    return await fake.wait_for_message(admin, predicate=lambda m: "📡" in m.text, timeout=10)


async def test_a_failing_feed_reads_in_each_admins_language(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    clock, env = feed_admins(fake, {ADMIN_ID: ("Ivan", "ru"), EN_ADMIN: ("Jane", "en")})
    async with serve_site() as site:
        bot = await start_bot(clock=clock, **env)
        site.feed = rss([])
        fake.send_text(EN_ADMIN, f"/feeds add {site.url('/feed.xml')} review")
        assert "Test Ledger" in (await fake.wait_for_message(EN_ADMIN, timeout=10)).text
        await listing(fake, ADMIN_ID)  # the bot learns this admin's language
        # The feed's address answers 404 now: three polls fail, then the admins are told.
        site.feed_status = 404
        for failures in (1, 2, 3):
            clock.advance(timedelta(minutes=10))  # past the backoff after each failure
            await failures_reach(bot, failures)
        told_ru = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "⚠️" in m.text)
        told_en = await fake.wait_for_message(EN_ADMIN, predicate=lambda m: "⚠️" in m.text)
        ru, en = await listing(fake, ADMIN_ID), await listing(fake, EN_ADMIN)
        # Then it answers with a page that is no feed at all (a parse error, not a fetch's).
        site.feed_status, site.feed = 200, NOT_A_FEED
        clock.advance(timedelta(minutes=10))
        await failures_reach(bot, 4)
        ru_parse, en_parse = await listing(fake, ADMIN_ID), await listing(fake, EN_ADMIN)
        feed = (await bot.services.feeds.list())[0]
        site.feed = rss([])
        clock.advance(timedelta(minutes=10))
        await fake.wait_for_message(EN_ADMIN, predicate=lambda m: "works again" in m.text)
        fixed = await listing(fake, EN_ADMIN)
    assert "не загрузилась 3-й раз подряд: Сервер ответил 404." in told_ru.text
    assert "failed 3 times in a row: The server answered 404." in told_en.text
    assert "⚠️ Сервер ответил 404. (3 раза подряд)" in ru.text
    assert "⚠️ The server answered 404. (3 in a row)" in en.text
    assert "⚠️ По этому адресу нет RSS- или Atom-ленты. (4 раза подряд)" in ru_parse.text
    assert "⚠️ That address does not look like an RSS or Atom feed. (4 in a row)" in en_parse.text
    assert "answered" not in ru.text + ru_parse.text + told_ru.text
    assert feed.problem == PageProblem("not_rss_or_atom")
    assert (await bot.services.feeds.list())[0].problem is None  # it works again
    assert "⚠️" not in fixed.text
    fake.assert_no_errors()


async def test_failures_stored_before_0014_read_back_or_show_as_stored(
    fake: FakeBotAPI, start_bot: BotFactory, tmp_path: Path
) -> None:
    # The database the bot is about to open, as it was before migration 0014, with failures
    # stored as sentences in the language of the poll's moment.
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    db = await Database.open(tmp_path / "bot.db", migrate=False)
    await db.migrate([m for m in load_migrations() if m.version < 14])
    old = [
        ("The server answered 503.", 1),
        ("Сервер ответил 500.", 2),  # not English: shown as it was stored
        ("The site took too long to answer.", 3),  # a msgid: translated
        (None, 0),
    ]
    for number, (error, failures) in enumerate(old, start=1):
        await db.execute(
            "INSERT INTO feeds (url, title, created_at, last_polled_at, last_error,"
            " consecutive_failures) VALUES (?, ?, 1, ?, ?, ?)",
            (
                f"https://f{number}.test/rss",
                f"F{number}",
                int(clock.now().timestamp()),
                error,
                failures,
            ),
        )
    await db.close()
    fake.add_user(ADMIN_ID, "Ivan", language_code="ru")
    fake.add_user(EN_ADMIN, "Jane", language_code="en")
    bot = await start_bot(clock=clock, ADMIN_IDS=f"{ADMIN_ID},{EN_ADMIN}", FEED_POLL_MINUTES="600")
    feeds = await bot.services.feeds.list()
    assert [f.problem for f in feeds] == [
        PageProblem("http_status", 503),
        PageProblem("other", detail="Сервер ответил 500."),
        PageProblem("other", detail="The site took too long to answer."),
        None,
    ]
    ru, en = (await listing(fake, ADMIN_ID)).text, (await listing(fake, EN_ADMIN)).text
    assert "⚠️ Сервер ответил 503. (1 раз подряд)" in ru
    assert "⚠️ Сервер ответил 500. (2 раза подряд)" in ru
    assert "⚠️ Сайт слишком долго не отвечал. (3 раза подряд)" in ru
    assert "⚠️ The server answered 503. (1 in a row)" in en
    assert "⚠️ Сервер ответил 500. (2 in a row)" in en
    assert "⚠️ The site took too long to answer. (3 in a row)" in en
    assert ru.count("⚠️") == en.count("⚠️") == 3  # the feed that worked shows no failure
    fake.assert_no_errors()
