"""Delivery through the real bot and the fake Bot API: instant, digests, failures, pacing."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.services.delivery.engine import EngineOptions
from tests.conftest import ADMIN_ID, READER_ID, BotFactory
from tests.fakes.botapi import FakeBotAPI
from tests.helpers import busiest_second, drained, publish, releases, subscribe

READERS = (3001, 3002, 3003)


async def test_article_reaches_every_subscriber_once(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    for reader in READERS:
        await subscribe(fake, reader)
    article = await publish(bot, "Council approves <new> budget & plan", url="https://x.test/a")
    for reader in READERS:
        message = await fake.wait_for_message(reader, timeout=10)
        assert "Council approves <new> budget & plan" in message.text
        assert "Read the full article" in message.text
    report = await fake.wait_for_message(
        ADMIN_ID, predicate=lambda m: "Delivered" in m.text or bool(m.edited), timeout=10
    )
    await fake.wait_until(lambda: "Delivered" in report.text, timeout=10)
    assert "Sent: 3" in report.text
    await drained(bot)
    counts = await bot.storage.deliveries.counts(article.id)
    assert (counts.sent, counts.pending, counts.failed) == (3, 0, 0)
    await publish(bot, "Second story")
    for reader in READERS:
        await fake.wait_for_message(reader, timeout=10)
    for reader in READERS:
        titles = [m.text.split("\n")[0] for m in fake.messages(reader)]
        assert titles.count("Council approves <new> budget & plan") == 1
    fake.assert_no_errors()


async def test_topics_filter_what_arrives(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.send_text(READER_ID, "/settings topics sport")
    await fake.wait_for_message(READER_ID)
    await publish(bot, "Election results are in", tags=("politics",))
    await publish(bot, "Cup final tonight", tags=("sport",))
    got = await fake.wait_for_message(READER_ID, timeout=10)
    assert "Cup final tonight" in got.text
    await drained(bot)
    counts = await bot.storage.deliveries.counts()
    assert counts.pending == 0
    assert all("Election" not in m.text for m in fake.messages(READER_ID))


async def test_daily_digest_arrives_at_local_hour(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    # 06:00 UTC is 07:00 in Berlin (winter time): the 08:00 digest is an hour away.
    clock = FakeClock(datetime(2026, 11, 30, 6, 0, tzinfo=UTC))
    bot = await start_bot(clock=clock)
    await subscribe(fake, READER_ID)
    fake.send_text(READER_ID, "/settings tz Europe/Berlin")
    await fake.wait_for_message(READER_ID)
    fake.send_text(READER_ID, "/settings digest 8")
    await fake.wait_for_message(READER_ID)
    await publish(bot, "Morning story one")
    await publish(bot, "Morning story two")
    clock.advance(timedelta(minutes=59))
    before = len(fake.messages(READER_ID))
    await bot.services.engine.run_once()
    assert len(fake.messages(READER_ID)) == before, "digest sent before 08:00 Berlin"
    clock.advance(timedelta(minutes=1))
    digest = await fake.wait_for_message(READER_ID, timeout=10)
    assert "daily digest" in digest.text.lower()
    assert "Morning story one" in digest.text
    assert "Morning story two" in digest.text
    assert len(digest.button_data()) == 2
    await drained(bot, kind="digest")
    counts = await bot.storage.deliveries.counts()
    assert (counts.sent, counts.pending) == (2, 0)


async def test_blocked_subscriber_is_marked_inactive_and_skipped(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    for reader in READERS:
        await subscribe(fake, reader)
    fake.chats[READERS[0]].blocked = True  # blocked without the bot being told yet
    article = await publish(bot, "Story for the reachable")
    for reader in READERS[1:]:
        await fake.wait_for_message(reader, timeout=10)
    await drained(bot)
    counts = await bot.storage.deliveries.counts(article.id)
    assert (counts.sent, counts.failed) == (2, 1)
    sub = await bot.services.subscriptions.get(READERS[0])
    assert sub is not None
    assert sub.status == "inactive"
    assert sub.inactive_reason is not None
    assert "blocked" in sub.inactive_reason
    await publish(bot, "Next story")
    for reader in READERS[1:]:
        await fake.wait_for_message(reader, timeout=10)
    counts = await bot.storage.deliveries.counts()
    assert counts.failed == 1  # the inactive chat was not tried again


async def test_flood_control_is_waited_out(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.fail_next("sendMessage", 429, retry_after=1, chat_id=READER_ID)
    started = time.monotonic()
    await publish(bot, "Patience pays")
    got = await fake.wait_for_message(READER_ID, timeout=10)
    assert "Patience pays" in got.text
    assert time.monotonic() - started >= 0.9
    assert fake.stats.too_many_requests == 1
    await drained(bot)
    counts = await bot.storage.deliveries.counts()
    assert (counts.sent, counts.failed) == (1, 0)


async def test_server_errors_are_retried_then_recorded(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.fail_next("sendMessage", 502, count=1, chat_id=READER_ID)
    await publish(bot, "Flaky network story")
    # the first try failed; the retry is due after a 2 s backoff
    for _ in range(100):
        row = await bot.storage.db.fetchone("SELECT attempts, last_error FROM deliveries")
        if row is not None and row["attempts"] == 1:
            break
        await fake.changed(0.05)
    assert row is not None
    assert row["last_error"]
    bot.clock.advance(timedelta(seconds=3))
    got = await fake.wait_for_message(READER_ID, timeout=10)
    assert "Flaky network story" in got.text


async def test_stats_for_admins_only(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    await publish(bot, "Counted story")
    await fake.wait_for_message(READER_ID, timeout=10)
    fake.send_text(READER_ID, "/stats")
    refusal = await fake.wait_for_message(READER_ID)
    assert "only" in refusal.text.lower()
    fake.send_text(ADMIN_ID, "/stats")
    stats = await fake.wait_for_message(
        ADMIN_ID, predicate=lambda m: "Subscribers" in m.text, timeout=10
    )
    assert "Active: 1" in stats.text
    assert "Counted story" in stats.text
    assert bot.services.is_admin(ADMIN_ID)


@pytest.mark.parametrize("round_trip", [0.0, 0.15], ids=["loopback", "150ms"])
async def test_help_jumps_the_queue_during_a_broadcast_at_the_cap(
    fake: FakeBotAPI, start_bot: BotFactory, round_trip: float
) -> None:
    """A reader's /help is answered while a broadcast runs at the cap, with the next send
    slot, not behind the broadcast's queue. How long that takes (within a second plus the
    round trip) is a figure for benchmarks/delivery.py (/help p95), not for a timed test."""
    fake.set_latency(round_trip)
    fake.set_rate_limit(True, global_rate=30)
    bot = await start_bot(
        BROADCAST_RATE="30", PAID_BROADCAST="false", engine=EngineOptions(poll_interval=0.05)
    )
    readers = list(range(5000, 5150))
    await bot.storage.subscribers.insert_many(
        [(r, "private", f"R{r}", "instant", 8, "UTC") for r in readers], bot.clock.now()
    )
    for r in readers:
        fake.add_user(r, f"R{r}")
    await subscribe(fake, READER_ID)
    sent = releases(bot)
    await publish(bot, "Big broadcast", admin=None)
    await fake.wait_until(lambda: fake.stats.messages_per_chat[readers[40]] > 0, timeout=10)
    fake.send_text(READER_ID, "/help")
    await fake.wait_for_message(READER_ID, predicate=lambda m: "/settings" in m.text, timeout=10)
    reply = next(r for r in sent if r.chat_id == READER_ID and r.interactive)
    chats = set(readers)
    # The broadcast goes on after the reply (were it over, the test would prove nothing).
    await fake.wait_until(
        lambda: any(r.chat_id in chats and r.at > reply.at for r in sent), timeout=10
    )
    # At most the one slot already handed out when /help's answer asked for one went first.
    ahead = [r for r in sent if r.chat_id in chats and reply.asked < r.at < reply.at]
    assert len(ahead) <= 1, f"/help's answer waited behind {len(ahead)} broadcast messages"
    assert busiest_second(r.at for r in sent) <= 30, "the reply went past the shared cap"


async def test_progress_stops_when_the_admin_chat_cannot_take_it(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.chats[ADMIN_ID].blocked = True
    # The reader's copy fails once and waits for a retry the fake clock never reaches, so
    # the broadcast stays open and the progress job keeps running.
    fake.fail_next("sendMessage", 502, chat_id=READER_ID)
    article = await publish(bot, "Nobody is watching the progress")
    for _ in range(200):
        if not await bot.storage.deliveries.open_broadcasts():
            break
        await fake.changed(0.05)
    assert await bot.storage.deliveries.open_broadcasts() == []
    await asyncio.sleep(1.0)  # several more progress intervals (0.3 s in tests)
    refused = [r for r in fake.rejected if str(r.params.get("chat_id")) == str(ADMIN_ID)]
    assert len(refused) == 1, refused
    counts = await bot.storage.deliveries.counts(article.id)
    assert counts.pending == 1


@pytest.mark.parametrize("direct", [False, True], ids=["database-thread", "direct-write"])
async def test_sent_messages_are_recorded_while_another_program_writes(
    fake: FakeBotAPI, start_bot: BotFactory, caplog: pytest.LogCaptureFixture, direct: bool
) -> None:
    """Another program holding SQLite's write lock (say `newsbot import`) delays the record
    of a sent message; it does not lose it and nothing is sent twice. Both ways of recording
    (through the database thread, the default, and the direct write) are covered."""
    caplog.set_level(logging.DEBUG, logger="storage.direct")
    bot = await start_bot(engine=EngineOptions(poll_interval=0.05, direct_writes=direct))
    for reader in READERS:
        await subscribe(fake, reader)
    held = fake.hold_next("sendMessage")
    article = await publish(bot, "Harbour reopens", admin=None)
    await held.wait_delivered()
    # The other program's connection works from its own thread, like another process would:
    # waiting for the lock here must not stop the bot's event loop.
    other = sqlite3.connect(bot.storage.db.path, isolation_level=None, check_same_thread=False)
    try:
        await asyncio.to_thread(other.execute, "BEGIN IMMEDIATE")
        held.release()
        await fake.wait_until(
            lambda: any(
                r.status == 200 and r.method.lower() == "sendmessage" for r in fake.requests
            ),
            timeout=5,
        )
        if direct:  # the direct write found the lock taken and went to the database thread
            await fake.wait_until(lambda: "direct write fell back" in caplog.text, timeout=5)
        await asyncio.sleep(0.3)  # the bot has the answer: its record now waits for the lock
        pending = other.execute(
            "SELECT count(*) FROM deliveries WHERE article_id = ? AND status = 'pending'",
            (article.id,),
        ).fetchone()[0]
        assert pending >= 1  # the accepted message is waiting for the lock, not recorded
        await asyncio.to_thread(other.execute, "COMMIT")
    finally:
        other.close()
    await drained(bot)
    counts = await bot.storage.deliveries.counts(article.id)
    assert (counts.sent, counts.pending, counts.failed) == (3, 0, 0)
    for reader in READERS:
        titles = [m.text.split("\n")[0] for m in fake.messages(reader)]
        assert titles.count("Harbour reopens") == 1
    assert ("direct write fell back to the database thread" in caplog.text) == direct
    fake.assert_no_errors()


async def test_a_slow_send_does_not_hold_up_the_rest(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    """One request Telegram is slow to answer (up to the read timeout) ties up one sender;
    the other keeps going through the outbox, batch after batch."""
    bot = await start_bot(engine=EngineOptions(batch_size=2, poll_interval=0.05))
    readers = (3001, 3002, 3003, 3004, 3005, 3006)
    for reader in readers:
        await subscribe(fake, reader)
    held = fake.hold_next("sendMessage")
    article = await publish(bot, "Ferry timetable changes", admin=None)
    slow = await held.wait_delivered()
    assert slow is not None
    for reader in readers:
        if reader != slow.chat_id:
            await fake.wait_for_message(reader, predicate=lambda m: "Ferry" in m.text)
    assert not held.is_set()  # everyone else has it while the slow one is still waiting
    held.release()
    await drained(bot)
    counts = await bot.storage.deliveries.counts(article.id)
    assert (counts.sent, counts.pending, counts.failed) == (6, 0, 0)
    for reader in readers:
        titles = [m.text.split("\n")[0] for m in fake.messages(reader)]
        assert titles.count("Ferry timetable changes") == 1
    fake.assert_no_errors()
