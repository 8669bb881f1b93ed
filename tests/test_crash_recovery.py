"""A `kill -9` in the middle of a 1,000-subscriber delivery, then a restart: nothing lost,
nothing repeated beyond the one documented in-flight message."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.container import build_services
from bot.services.delivery import EngineOptions
from bot.services.notifier import OutgoingMessage
from storage.db import Database
from storage.models import NewArticle
from tests.conftest import ADMIN_ID, make_settings
from tests.fakes.botapi import FakeBotAPI

SUBSCRIBERS = 1000
FIRST = 10_000


class _Unused:
    """The preparing process only queues deliveries; it never talks to Telegram."""

    async def send(self, message: OutgoingMessage, *, broadcast: bool = False) -> int:
        raise AssertionError("nothing is sent while preparing")

    async def edit(
        self, message: OutgoingMessage, message_id: int, *, broadcast: bool = False
    ) -> None:
        raise AssertionError("nothing is edited while preparing")

    async def delete(self, chat_id: int, message_id: int, *, broadcast: bool = False) -> None:
        raise AssertionError("nothing is deleted while preparing")


@pytest.fixture
async def loaded(tmp_path: Path, fake: FakeBotAPI) -> Path:
    """A database with 1,000 subscribers and one article published to them."""
    path = tmp_path / "crash.db"
    settings = make_settings(fake, path)
    db = await Database.open(path)
    services = build_services(settings, db, SystemClock(), _Unused())
    readers = range(FIRST, FIRST + SUBSCRIBERS)
    await services.subscriptions.subscribers.insert_many(
        [(r, "private", f"R{r}", "instant", 8, "UTC") for r in readers], SystemClock().now()
    )
    for r in readers:
        fake.add_user(r, f"R{r}")
    body = "A long day in the newsroom. Everybody must read this exactly once."
    article = await services.articles.create(
        NewArticle(title="Exactly once", body=body, summary=body),
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        status="draft",
        now=SystemClock().now(),
    )
    assert await services.broadcast.publish(article.id, ADMIN_ID) == SUBSCRIBERS
    await db.close()
    return path


async def _spawn(fake: FakeBotAPI, db_path: Path, log: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.base_url,
        "DATABASE_PATH": str(db_path),
        "ADMIN_IDS": str(ADMIN_ID),
        "BROADCAST_RATE": "400",
        "PAID_BROADCAST": "true",
        "LOG_LEVEL": "INFO",
    }
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, stdout=out, stderr=out
        )


def _received(fake: FakeBotAPI) -> dict[int, int]:
    return {
        r: fake.stats.messages_per_chat[r]
        for r in range(FIRST, FIRST + SUBSCRIBERS)
        if fake.stats.messages_per_chat[r]
    }


async def test_kill_9_mid_delivery_then_restart(
    fake: FakeBotAPI, loaded: Path, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    first = await _spawn(fake, loaded, log)
    try:
        await fake.wait_until(lambda: len(_received(fake)) >= 300, timeout=30)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    at_kill = len(_received(fake))
    assert at_kill < SUBSCRIBERS, "delivery finished before the kill; the test proves nothing"

    second = await _spawn(fake, loaded, log)
    try:
        await fake.wait_until(lambda: len(_received(fake)) == SUBSCRIBERS, timeout=60)
        db = await Database.open(loaded)
        try:
            for _ in range(200):
                row = await db.fetchone(
                    "SELECT count(*) AS n FROM deliveries WHERE status = 'sent'"
                )
                if row is not None and row["n"] == SUBSCRIBERS:
                    break
                await asyncio.sleep(0.05)
        finally:
            await db.close()
        assert row is not None
        assert row["n"] == SUBSCRIBERS
    finally:
        second.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(second.wait(), 20)
    assert code == 0, log.read_text()[-3000:]
    counts = _received(fake)
    duplicates = sum(n - 1 for n in counts.values())
    # The one unavoidable window: a message Telegram accepted just before the kill, not yet
    # recorded: at most one per sender worker per kill.
    assert duplicates <= EngineOptions().workers, f"{duplicates} duplicates after one kill"
    assert set(counts) == set(range(FIRST, FIRST + SUBSCRIBERS))
    assert "TEST-TOKEN" not in log.read_text()
