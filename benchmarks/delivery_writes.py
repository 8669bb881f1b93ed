"""Benchmarks 2 and 3 of benchmarks/delivery.py: how sent rows are recorded, and memory at a
million subscribers. The fake Bot API runs in its own process here (so it does not share the
bot's event loop), answering a network round trip late."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bot.app import RunOptions, serve
from bot.clock import SystemClock
from bot.config import from_env
from bot.container import Services, Storage, build_services
from bot.services.delivery.engine import EngineOptions
from storage.db import Database
from storage.models import NewArticle
from storage.subscribers import SubscriberRepository
from tests.botprocess import NoTelegram, stop_bot

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-TOKEN"  # noqa: S105 - the fake Bot API's token
BODY = "The council met on Monday. It approved the budget. Residents will see changes soon."


async def start_fake(round_trip: float) -> tuple[asyncio.subprocess.Process, int]:
    """The fake Bot API in its own process, enforcing Telegram's limits."""
    args = ["-m", "tests.fakes.botapi", "--port", "0", "--no-record", "--auto-users"]
    args += ["--rate-limit", "--round-trip", str(round_trip * 1000)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    line = (await proc.stdout.readline()).decode().split()
    return proc, int(line[1])


async def fake_stats(port: int) -> dict[str, int]:
    """The fake's counters."""
    async with httpx.AsyncClient() as client:
        response = await client.post(f"http://127.0.0.1:{port}/_fake/stats", json={})
        return dict(response.json()["result"])


async def make_db(path: Path, subscribers: int) -> None:
    """A database with `subscribers` active readers, chat ids 1..N."""
    db = await Database.open(path)
    repo = SubscriberRepository(db)
    now = SystemClock().now()
    for start in range(1, subscribers + 1, 50_000):
        stop = min(subscribers + 1, start + 50_000)
        await repo.insert_many(
            [(c, "private", f"R{c}", "instant", 8, "UTC") for c in range(start, stop)], now
        )
    await db.close()


async def publish(services: Services, storage: Storage) -> int:
    """Store one article and publish it; return its id."""
    stamp = time.time_ns()  # each round publishes its own article (urls are unique)
    article = await storage.articles.create(
        NewArticle(
            title="Benchmark story", body=BODY, summary=BODY, url=f"https://x.test/{stamp}"
        ),
        content_hash=hashlib.sha256(str(stamp).encode()).hexdigest(),
        status="draft",
        now=services.clock.now(),
    )
    await services.broadcast.publish(article.id, None)
    return article.id


async def engine_rate(port: int, db_path: Path, n: int, rate: float, direct: bool) -> float:
    """Messages per second the bot (in this process) achieves for one article to n readers."""
    settings = from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{port}/bot",
            "DATABASE_PATH": str(db_path),
            "LOG_LEVEL": "WARNING",
        }
    )
    settings = dataclasses.replace(settings, broadcast_rate=rate, paid_broadcast=True)
    ready: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    options = RunOptions(engine=EngineOptions(direct_writes=direct))
    task = asyncio.create_task(serve(settings, stop, options, on_ready=ready.set_result))
    app = await asyncio.wait_for(ready, 30)
    services, storage = app.bot_data.services, app.bot_data.storage  # type: ignore[attr-defined]
    engine = services.engine
    article_id = await publish(services, storage)
    # The engine's own counters (cheap), not a COUNT over the outbox 20 times a second.
    while engine.sent + engine.failed < n // 10:
        await asyncio.sleep(0.02)
    started, done = time.perf_counter(), engine.sent  # past the window's ramp
    while engine.sent + engine.failed < n:
        await asyncio.sleep(0.02)
    elapsed = time.perf_counter() - started
    counts = await storage.deliveries.counts(article_id)
    assert counts.sent + counts.failed == n, f"the outbox says {counts} of {n}"
    stop.set()
    await task
    return (n - done) / elapsed


async def write_paths(rounds: int, n: int = 12_000) -> int:
    """Benchmark 2: sent rows through the database thread vs the direct write, paid 1000/s."""
    print("\n2. Recording sent rows: database thread (default) vs direct write on the loop")
    print(f"   paid broadcast at 1000/s, {n:,} readers, fake in its own process")
    print(f"{'RTT':>6} {'round':>6} {'thread msg/s':>13} {'direct msg/s':>13} {'ratio':>6}")
    for ms in (0, 150):
        proc, port = await start_fake(ms / 1000)
        ratios = []
        try:
            with tempfile.TemporaryDirectory() as tmp:
                db_path = Path(tmp) / "writes.db"
                await make_db(db_path, n)
                for number in range(1, rounds + 1):
                    # Alternate who goes first, so a slow spell on the machine hits both.
                    order = (False, True) if number % 2 else (True, False)
                    got = {d: await engine_rate(port, db_path, n, 1000, d) for d in order}
                    ratios.append(got[False] / got[True])
                    print(
                        f"{ms:>4}ms {number:>6} {got[False]:>13.0f} {got[True]:>13.0f}"
                        f" {ratios[-1]:>6.2f}"
                    )
        finally:
            await stop_bot(proc, timeout=20)
        print(f"{ms:>4}ms median ratio thread / direct: {statistics.median(ratios):.2f}")
    return 0


async def million(n: int, stop_after: int, round_trip: float) -> int:
    """Benchmark 3: `newsbot run` as a child process; its peak RSS from /proc."""
    print(f"\n3. Peak memory of `newsbot run` delivering to {n:,} subscribers")
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "million.db"
        started = time.perf_counter()
        await make_db(db_path, n)
        db = await Database.open(db_path)
        settings = from_env({"DATABASE_PATH": str(db_path)})
        storage = Storage.over(db)
        await publish(build_services(settings, storage, SystemClock(), NoTelegram()), storage)
        await db.close()
        print(
            f"   prepared {n:,} readers and outbox rows in {time.perf_counter() - started:.0f} s"
        )
        proc, port = await start_fake(round_trip)
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_PATH": str(db_path),
            "TELEGRAM_API_URL": f"http://127.0.0.1:{port}/bot",
            "LOG_LEVEL": "WARNING",
            "BROADCAST_RATE": "1000",
            "PAID_BROADCAST": "true",
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env
        )
        peak, started = 0, time.perf_counter()
        try:
            while True:
                await asyncio.sleep(1)
                status = Path(f"/proc/{bot.pid}/status").read_text()
                peak = max(peak, int(status.split("VmHWM:")[1].split()[0]) // 1024)
                stats = await fake_stats(port)
                if stats["messages"] >= (stop_after or n) or bot.returncode is not None:
                    break
        finally:
            await stop_bot(bot, timeout=20)
            await stop_bot(proc, timeout=20)
        took = time.perf_counter() - started
    print(
        f"   delivered {stats['messages']:,} in {took:.0f} s ({stats['messages'] / took:.0f}/s)"
        f" at {round_trip * 1000:.0f} ms round trips, {stats['in_flight_peak']} in flight at most"
    )
    print(f"   peak RSS {peak} MB (target < 150 MB): {'PASS' if peak < 150 else 'FAIL'}")
    return int(peak >= 150)
