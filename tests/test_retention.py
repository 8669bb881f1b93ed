"""Retention on a real SQLite file: compaction keeps statistics exact, batches, every table."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import FakeClock
from bot.services.delivery.fanout import progress_text
from bot.services.delivery.stats import StatsService, stats_text
from bot.services.operations.retention import PruneOptions, RetentionService
from storage.articles import ArticleRepository
from storage.comments import CommentRepository
from storage.db import Database
from storage.deliveries import DeliveryRepository
from storage.engagement import EngagementRepository
from storage.feeds import FeedRepository
from storage.models import NewArticle, PageProblem
from storage.outbox import OutboxRepository
from storage.retention import RetentionRepository
from storage.subscribers import SubscriberRepository

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")
READERS = 300


async def _article(db: Database, clock: FakeClock, title: str, status: str = "draft") -> int:
    article = await ArticleRepository(db).create(
        NewArticle(title=title, body=f"{title} body.", summary=title),
        content_hash=hashlib.sha256(title.encode()).hexdigest(),
        status=status,
        now=clock.now(),
    )
    return article.id


async def _deliver(db: Database, clock: FakeClock, title: str) -> int:
    """Publish to every reader: most sent, some blocked or failed, some cancelled, one
    digest row still pending."""
    deliveries = DeliveryRepository(db)
    article_id = await _article(db, clock, title)
    assert await deliveries.start_broadcast(article_id, 1, clock.now())
    assert await deliveries.fanout(article_id, clock.now(), {}) == READERS
    await deliveries.update_broadcast(article_id, fanout_done=True)
    rows = await db.fetchall(
        "SELECT id, chat_id FROM deliveries WHERE article_id = ? ORDER BY id", (article_id,)
    )
    sent = [(r["id"], 10_000 + r["chat_id"]) for r in rows if r["chat_id"] % 10 not in (7, 8, 9)]
    await OutboxRepository(db).mark_sent_many(sent, clock.now())
    # Every 20th reader's copy went out again after a crash (migration 0007's flag).
    await db.execute(
        "UPDATE deliveries SET ambiguous = 1 WHERE article_id = ? AND chat_id % 20 = 0",
        (article_id,),
    )
    for r in rows:
        if r["chat_id"] % 10 == 7:
            await deliveries.mark_failed(r["id"], "blocked", clock.now())
        elif r["chat_id"] % 10 == 8:
            await deliveries.mark_failed(r["id"], f"error {r['chat_id'] % 3}", clock.now())
    await db.execute(
        "UPDATE deliveries SET status = 'cancelled', last_error = 'unsubscribed'"
        " WHERE article_id = ? AND chat_id % 10 = 9 AND chat_id != 9",
        (article_id,),
    )
    await db.execute(
        "UPDATE deliveries SET kind = 'digest' WHERE article_id = ? AND chat_id % 4 = 1",
        (article_id,),
    )
    return article_id


async def _figures(db: Database, ids: list[int]) -> list[object]:
    """Everything statistics show: /stats text, per-article counts and progress texts."""
    deliveries = DeliveryRepository(db)
    service = StatsService(
        SubscriberRepository(db), ArticleRepository(db), deliveries, EngagementRepository(db)
    )
    report = await service.report(None)
    text = [stats_text(report, UTC_ZONE), report.as_json()]
    per_article = [await deliveries.counts(i) for i in ids]
    progress = [progress_text("T", c, 0, True) for c in per_article]
    return [text, await deliveries.counts(), per_article, progress]


async def _readers(db: Database, clock: FakeClock) -> None:
    await SubscriberRepository(db).insert_many(
        [(c, "private", f"R{c}", "instant", 8, "UTC") for c in range(1, READERS + 1)],
        clock.now(),
    )


async def _setup(db: Database, clock: FakeClock) -> list[int]:
    """Three articles, 20 days apart (days 0, 20 and 40)."""
    await _readers(db, clock)
    ids = []
    for title in ("Old story", "Middle story", "New story"):
        ids.append(await _deliver(db, clock, title))
        clock.advance(timedelta(days=20))
    return ids


async def test_compaction_keeps_statistics_exact(db: Database) -> None:
    clock = FakeClock(START)
    ids = await _setup(db, clock)
    clock.set(START + timedelta(days=45))
    before = await _figures(db, ids)
    assert "Sent: 630" in str(before[0])  # 210 sent of 300, three articles
    assert "Resent after a crash (possible duplicates): 45" in str(before[0])  # 15 each
    service = RetentionService(RetentionRepository(db), clock, 30, PruneOptions(batch=64))
    report = await service.prune()  # day 45: only the day-0 article is past retention
    assert report.deliveries == READERS - 1  # all but chat 9's, still pending
    assert report.messages == 210
    assert report.batches >= READERS // 64 + 1  # small steps, not one big transaction
    assert await _figures(db, ids) == before
    left = await db.fetchall("SELECT article_id, count(*) AS n FROM deliveries GROUP BY 1")
    assert {r["article_id"]: r["n"] for r in left} == {ids[0]: 1, ids[1]: 300, ids[2]: 300}
    failures = await db.fetchall(
        "SELECT reason, sum(n) AS n FROM delivery_totals"
        " WHERE article_id = ? AND status = 'failed' GROUP BY reason",
        (ids[0],),
    )
    assert {r["reason"]: r["n"] for r in failures} == {
        "blocked": 30,
        "error 0": 10,
        "error 1": 10,
        "error 2": 10,
    }
    split = await db.fetchall(
        "SELECT kind, sum(n) AS n FROM delivery_totals"
        " WHERE article_id = ? AND status = 'sent' GROUP BY kind",
        (ids[0],),
    )
    digest = sum(1 for c in range(1, READERS + 1) if c % 4 == 1 and c % 10 not in (7, 8, 9))
    assert {r["kind"]: r["n"] for r in split} == {"instant": 210 - digest, "digest": digest}
    # Compacting everything final, twice, still changes no figure.
    await service.prune(timedelta(0))
    await service.prune(timedelta(0))
    assert await _figures(db, ids) == before
    remaining = await db.fetchall("SELECT status FROM deliveries")
    assert [r["status"] for r in remaining] == ["pending"] * 3
    assert await db.fetchone("SELECT 1 FROM article_messages") is None


async def test_prune_lets_other_writers_through(db: Database) -> None:
    clock = FakeClock(START)
    await _setup(db, clock)
    service = RetentionService(
        RetentionRepository(db), clock, 30, PruneOptions(batch=25, pause=0.001)
    )
    subscribers = SubscriberRepository(db)
    prune = asyncio.create_task(service.prune(timedelta(0)))
    written_meanwhile = 0
    while not prune.done():
        # A reader subscribing is a write that must not wait for the whole prune.
        await subscribers.subscribe(5000 + written_meanwhile, "private", "x", "UTC", clock.now())
        written_meanwhile += not prune.done()
    report = await prune
    assert report.deliveries == 3 * (READERS - 1)  # chat 9 rows are pending
    assert report.batches >= 3 * READERS // 25
    assert written_meanwhile >= 10


async def test_expired_records_in_every_table_go(db: Database) -> None:
    clock = FakeClock(START)
    await _readers(db, clock)
    deliveries = DeliveryRepository(db)
    old_draft = await _article(db, clock, "Forgotten draft")
    await deliveries.record_message(1, 1, old_draft, "preview", clock.now())
    scheduled = await _article(db, clock, "Scheduled far ahead", status="scheduled")
    await deliveries.record_message(1, 2, scheduled, "preview", clock.now())
    sent = await _deliver(db, clock, "Finished story")
    await deliveries.update_broadcast(sent, finished_at=clock.now())
    withdrawn = await _deliver(db, clock, "Withdrawn story")
    await db.execute("UPDATE articles SET status = 'withdrawn' WHERE id = ?", (withdrawn,))
    await db.execute(
        "INSERT INTO related_articles VALUES (?, 0, ?, 0.5), (?, 0, ?, 0.5)",
        (sent, withdrawn, withdrawn, sent),
    )
    await db.execute("INSERT INTO related_state VALUES (?, 1, 2)", (sent,))
    await CommentRepository(db).add_prompt(1, 99, sent, 1, clock.now())
    feeds = FeedRepository(db)
    up = await feeds.add("https://up.test/rss", "auto", "Up", 1, ["gone", "kept"], clock.now())
    down = await feeds.add("https://down.test/rss", "auto", "Down", 1, ["old"], clock.now())
    await feeds.record_failure(down.id, PageProblem("timeout"), clock.now())
    clock.advance(timedelta(days=31))
    await feeds.touch(up.id, ["kept"], clock.now())  # still listed by the feed
    fresh = await _article(db, clock, "Fresh draft")
    report = await RetentionService(RetentionRepository(db), clock, 30).prune()
    assert (report.drafts, report.broadcasts, report.prompts) == (1, 1, 1)
    assert report.feed_entries == 1 and report.related == 2
    articles = ArticleRepository(db)
    assert await articles.get(old_draft) is None
    assert await articles.get(fresh) is not None and await articles.get(scheduled) is not None
    # A scheduled article's preview keeps its record: its buttons still act.
    assert await deliveries.article_for_message(1, 2) == [scheduled]
    entries = await db.fetchall("SELECT entry_key FROM feed_entries ORDER BY entry_key")
    assert [r["entry_key"] for r in entries] == ["kept", "old"]
    assert await db.fetchone("SELECT 1 FROM related_articles") is None
    assert await db.fetchone("SELECT 1 FROM related_state") is None
    assert await db.fetchone("SELECT 1 FROM broadcasts WHERE article_id = ?", (sent,)) is None
    # The article whose broadcast is still open keeps it.
    assert await db.fetchone("SELECT 1 FROM broadcasts WHERE article_id = ?", (withdrawn,))


async def test_an_interrupted_fanout_is_not_compacted(db: Database) -> None:
    clock = FakeClock(START)
    await _readers(db, clock)
    article_id = await _deliver(db, clock, "Half queued")
    await db.execute("UPDATE broadcasts SET fanout_done = 0 WHERE article_id = ?", (article_id,))
    clock.advance(timedelta(days=40))
    report = await RetentionService(RetentionRepository(db), clock, 30).prune()
    assert report.deliveries == 0
    # Completing the fan-out at the next start queues nobody twice.
    assert await DeliveryRepository(db).fanout(article_id, clock.now(), {}) == 0


async def test_the_daily_prune_runs_once_a_day_by_the_time_in_sqlite(db: Database) -> None:
    clock = FakeClock(START)
    await _setup(db, clock)  # now day 60; articles of days 0, 20 and 40
    service = RetentionService(RetentionRepository(db), clock, 30)
    first = await service.prune_if_due()
    assert first is not None and first.deliveries == 2 * 299  # articles of days 0 and 20
    clock.advance(timedelta(hours=23))
    # A new service (as after a restart) reads the last run from SQLite.
    again = RetentionService(RetentionRepository(db), clock, 30)
    assert await again.prune_if_due() is None
    clock.advance(timedelta(hours=1))
    later = await again.prune_if_due()
    assert later is not None and later.deliveries == 0
