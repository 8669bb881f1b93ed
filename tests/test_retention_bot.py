"""Retention through the real bot: replies to pruned messages, /stats, /edit, /unpublish,
the daily job across restarts, and `newsbot prune`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.handlers.comments import NOT_ARTICLE
from storage.models import to_ts
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.helpers import drained, publish, subscribe
from tests.test_cli_config import run_cli
from tests.test_handlers_articles import ask_to_withdraw, withdraw

OTHER_ID = 2002
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def rows(bot: RunningBot, table: str) -> int:
    """Rows in a table of the running bot's database."""
    row = await bot.storage.db.fetchone(f"SELECT count(*) AS n FROM {table}")
    assert row is not None
    return int(row["n"])


async def comments_on(bot: RunningBot, article_id: int) -> list[str]:
    """Texts of an article's stored comments."""
    found = await bot.storage.db.fetchall(
        "SELECT text FROM comments WHERE article_id = ? ORDER BY id", (article_id,)
    )
    return [r["text"] for r in found]


async def ask(fake: FakeBotAPI, user: int, text: str, expect: str, **kw: int) -> SentMessage:
    """Send a message (optionally as a reply) and wait for the answer containing `expect`."""
    fake.send_text(user, text, **kw)
    return await fake.wait_for_message(user, predicate=lambda m: expect in m.text, timeout=10)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    """Wait until an async condition holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def delivered(fake: FakeBotAPI, bot: RunningBot, title: str, url: str) -> SentMessage:
    """Publish an article and wait until the reader has it and it is recorded."""
    await publish(bot, title, url=url)
    message = await fake.wait_for_message(READER_ID, predicate=lambda m: title in m.text)
    await drained(bot)
    return message


async def test_reply_to_a_pruned_article_message_is_still_a_comment(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    old = await delivered(fake, bot, "Harbour wall repaired", "https://news.test/harbour")
    other = await delivered(fake, bot, "Ferry returns", "https://news.test/ferry")
    report = await bot.services.retention.prune(timedelta(0))
    assert report.messages == 2 and await rows(bot, "article_messages") == 0
    assert await rows(bot, "deliveries") == 0
    old_id = int(old.button_data()[-1].rsplit(":", 1)[1])
    # Telegram sends the replied-to message with its buttons: that is enough to find it.
    reply_to = {"reply_to": old.message_id}
    answer = await ask(fake, READER_ID, "Still relevant!", "Thanks", **reply_to)
    assert "Harbour wall repaired" in answer.text
    assert await comments_on(bot, old_id) == ["Still relevant!"]
    # The Comment button and /comments work on the pruned message too.
    fake.press_button(READER_ID, READER_ID, old.message_id, f"cm:w:{old_id}")
    prompt = await fake.wait_for_message(READER_ID, predicate=lambda m: "write your" in m.text)
    await ask(fake, READER_ID, "Via the prompt", "Thanks", reply_to=prompt.message_id)
    listing = await ask(fake, READER_ID, "/comments", "Via the prompt", **reply_to)
    assert "Still relevant!" in listing.text
    # A bot message without an article's buttons is not an article, nor is one whose
    # article was withdrawn since.
    welcome = fake.messages(READER_ID)[0]
    await ask(fake, READER_ID, "Nice bot", NOT_ARTICLE.split(".")[0], reply_to=welcome.message_id)
    other_id = int(other.button_data()[-1].rsplit(":", 1)[1])
    await bot.storage.articles.set_status(other_id, "withdrawn", bot.clock.now())
    await ask(fake, READER_ID, "Hello?", NOT_ARTICLE.split(".")[0], reply_to=other.message_id)
    assert await comments_on(bot, other_id) == []
    assert await comments_on(bot, old_id) == ["Still relevant!", "Via the prompt"]
    fake.assert_no_errors()


async def test_stats_read_the_same_after_compaction(
    fake: FakeBotAPI, start_bot: BotFactory, tmp_path: Path
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    await subscribe(fake, OTHER_ID)
    fake.chats[OTHER_ID].blocked = True  # blocked without telling the bot: the send fails
    await delivered(fake, bot, "Counted story", "https://news.test/counted")
    await delivered(fake, bot, "Second story", "https://news.test/second")
    before = await ask(fake, ADMIN_ID, "/stats", "Subscribers")
    assert "Sent: 2 · Failed: 1" in before.text  # the blocked chat got no second one
    await bot.stop()
    db = str(bot.settings.database_path)
    cli_before = run_cli(tmp_path, "stats", "--db", db)
    pruned = run_cli(tmp_path, "prune", "--older-than", "0", "--db", db)
    assert pruned.returncode == 0, pruned.stderr
    assert "deliveries compacted into per-article totals: 3" in pruned.stdout
    assert "article message records: 2" in pruned.stdout
    assert "size before:" in pruned.stdout and "size after:" in pruned.stdout
    assert run_cli(tmp_path, "stats", "--db", db).stdout == cli_before.stdout
    bad = run_cli(tmp_path, "prune", "--older-than", "a week", "--db", db)
    assert bad.returncode == 2 and "--older-than" in bad.stderr
    assert "Traceback" not in bad.stderr
    restarted = await start_bot()
    assert await rows(restarted, "deliveries") == 0
    after = await ask(fake, ADMIN_ID, "/stats", "Subscribers")
    assert after.text == before.text


async def test_edit_and_unpublish_say_how_many_messages_are_out_of_reach(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    clock = FakeClock(T0)
    bot = await start_bot(clock=clock)
    await subscribe(fake, READER_ID)
    await subscribe(fake, OTHER_ID)
    # The other reader's copy fails once and goes out 20 days later (say, Telegram was down).
    fake.fail_next("sendMessage", 500, chat_id=OTHER_ID)
    article = await publish(bot, "Bridge closes for repairs")
    first = await fake.wait_for_message(READER_ID, predicate=lambda m: "Bridge" in m.text)

    async def failed_once() -> bool:
        row = await bot.storage.db.fetchone(
            "SELECT attempts FROM deliveries WHERE chat_id = ?", (OTHER_ID,)
        )
        return row is not None and row["attempts"] > 0

    await eventually(failed_once)
    clock.advance(timedelta(days=20))
    late = await fake.wait_for_message(OTHER_ID, predicate=lambda m: "Bridge" in m.text)
    await drained(bot)
    clock.advance(timedelta(days=15))
    await bot.services.retention.prune()  # 30 days: the first copy's record goes
    edit = f"/edit {article.id} title Bridge stays open"
    answer = await ask(fake, ADMIN_ID, edit, "Updated")
    assert "Messages updated: 1" in answer.text
    assert "1 older message is out of reach" in answer.text and "RETENTION_DAYS" in answer.text
    assert "Bridge stays open" in fake.bot_message(OTHER_ID, late.message_id).text
    assert "Bridge closes" in fake.bot_message(READER_ID, first.message_id).text
    # /unpublish says so before the admin confirms, and again after.
    question = await ask_to_withdraw(fake, article.id)
    assert "1 older message can no longer be reached" in question.text
    assert "edited to say it was withdrawn" in question.text  # the copy still on record
    result = await withdraw(fake, article.id, "Withdrew")
    assert "marked as withdrawn: 1" in result.text
    assert "1 older message is out of reach" in result.text
    assert "withdrawn" in fake.bot_message(OTHER_ID, late.message_id).text
    assert "Bridge closes" in fake.bot_message(READER_ID, first.message_id).text
    fake.assert_no_errors(ignore_codes=(500,))


async def last_prune(bot: RunningBot) -> int | None:
    """When the bot last pruned, as it recorded in SQLite."""
    return await bot.services.retention.repo.get_state("last_prune_at")


async def _pruned_at(bot: RunningBot, moment: int) -> bool:
    return await last_prune(bot) == moment


async def test_daily_prune_job_remembers_its_last_run_across_restarts(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    clock = FakeClock(T0)
    bot = await start_bot(clock=clock)
    await subscribe(fake, READER_ID)
    await delivered(fake, bot, "Kept a month", "https://news.test/month")
    await eventually(lambda: _pruned_at(bot, to_ts(T0)))
    assert await rows(bot, "deliveries") == 1  # nothing was old enough
    await bot.stop()
    clock.advance(timedelta(days=31))
    restarted = await start_bot(clock=clock)
    await eventually(lambda: _pruned_at(restarted, to_ts(clock.now())))
    assert await rows(restarted, "deliveries") == 0
    assert await rows(restarted, "article_messages") == 0
    fake.send_text(ADMIN_ID, "/stats")
    stats = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "Subscribers" in m.text)
    assert "Sent: 1" in stats.text
