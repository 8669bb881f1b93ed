"""A `kill -9` in the middle of a 1,000-subscriber delivery, then a restart: nothing lost,
nothing repeated beyond the documented in-flight messages (one per sender worker)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.services.delivery.engine import EngineOptions
from storage.db import Database
from tests.botprocess import prepare_outbox, spawn_bot, stop_bot
from tests.fakes.botapi import FakeBotAPI

SUBSCRIBERS = 1000
FIRST = 10_000
READERS = range(FIRST, FIRST + SUBSCRIBERS)


def _received(fake: FakeBotAPI) -> dict[int, int]:
    counts = fake.stats.messages_per_chat
    return {r: counts[r] for r in READERS if counts[r]}


async def _sent_rows(path: Path) -> int:
    db = await Database.open(path)
    try:
        row = await db.fetchone("SELECT count(*) AS n FROM deliveries WHERE status = 'sent'")
    finally:
        await db.close()
    return int(row["n"]) if row else 0


async def test_kill_9_mid_delivery_then_restart(fake: FakeBotAPI, tmp_path: Path) -> None:
    for reader in READERS:
        fake.add_user(reader, f"R{reader}")
    db_path, log = tmp_path / "crash.db", tmp_path / "bot.log"
    await prepare_outbox(db_path, READERS, "Exactly once")
    first = await spawn_bot(fake, db_path, log, BROADCAST_RATE="400")
    try:
        await fake.wait_until(lambda: len(_received(fake)) >= 300, timeout=30)
    finally:
        await stop_bot(first, signal.SIGKILL)
    assert len(_received(fake)) < SUBSCRIBERS, "finished before the kill; the test proves nothing"

    second = await spawn_bot(fake, db_path, log, BROADCAST_RATE="400")
    try:
        await fake.wait_until(lambda: len(_received(fake)) == SUBSCRIBERS, timeout=60)
        for _ in range(200):
            if await _sent_rows(db_path) == SUBSCRIBERS:
                break
            await asyncio.sleep(0.05)
        assert await _sent_rows(db_path) == SUBSCRIBERS
    finally:
        code = await stop_bot(second)
    assert code == 0, log.read_text()[-3000:]
    counts = _received(fake)
    duplicates = sum(n - 1 for n in counts.values())
    # The one unavoidable window: a message Telegram accepted just before the kill, not yet
    # recorded: at most one per sender worker per kill.
    assert duplicates <= EngineOptions().workers, f"{duplicates} duplicates after one kill"
    assert set(counts) == set(READERS)
    assert fake.token not in log.read_text()
