"""Bounded storage (issue 13), run by hand:

    python benchmarks/retention.py [--days 90] [--readers 20000] [--per-day 10] [--retention 30]

Simulates a publisher through the real storage code with a fake clock: every day `--per-day`
articles are published to `--readers` instant subscribers (the real fan-out query), and every
delivery is marked sent in bulk (the engine's own record, which also records the message).
The same simulation runs twice in one go: without pruning (the baseline: what the bot did
before retention) and with the daily prune at RETENTION_DAYS. Prints the database size at
days 10, 30, 60 and 90 for both, bytes per delivered message kept, rows per table at the end,
the time one daily prune takes and the WAL's largest size while it runs. Then it starts the
real bot (against the fake Bot API) on the pruned database and measures a reader's /help
while the next daily prune runs, against /help with no prune running.
Targets: day 90 within 1.15 x day 30 with pruning; /help p95 <= 1 s during a prune.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import RunOptions, serve  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.services.delivery.engine import EngineOptions  # noqa: E402
from bot.services.operations.retention import RetentionService  # noqa: E402
from bot.telegram_adapter.context import BotApplication  # noqa: E402
from storage.articles import ArticleRepository  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.deliveries import DeliveryRepository  # noqa: E402
from storage.models import NewArticle  # noqa: E402
from storage.outbox import OutboxRepository  # noqa: E402
from storage.retention import RetentionRepository  # noqa: E402
from storage.subscribers import SubscriberRepository  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.fakes.botapi import FakeBotAPI  # noqa: E402

START = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
CHECKPOINTS = (10, 30, 60, 90)
BODY = (
    "The council met on Tuesday evening and agreed a plan for the old harbour wall. "
    "Work starts in spring and should take about six months, the engineers said. "
) * 12  # about 2 KB, a short news article


@dataclass
class Run:
    """Figures of one simulation."""

    sizes: dict[int, int] = field(default_factory=dict)
    delivered: int = 0
    prune_seconds: list[float] = field(default_factory=list)
    wal_peak: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def file_size(path: Path) -> int:
    """The database file's size (the WAL is reported separately)."""
    return path.stat().st_size if path.exists() else 0


def wal_size(path: Path) -> int:
    """The write-ahead log's size."""
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


async def publish_day(db: Database, clock: FakeClock, day: int, per_day: int) -> int:
    """Publish one day's articles to every reader and mark every delivery sent."""
    articles, deliveries = ArticleRepository(db), DeliveryRepository(db)
    day_start = START + timedelta(days=day)
    sent = 0
    for i in range(per_day):
        clock.set(day_start + timedelta(minutes=90 * i))
        title = f"Story {day}-{i}"
        article = await articles.create(
            NewArticle(title=title, body=f"{title}. {BODY}", summary=BODY[:300]),
            content_hash=hashlib.sha256(title.encode()).hexdigest(),
            status="draft",
            now=clock.now(),
        )
        await deliveries.start_broadcast(article.id, None, clock.now())
        await deliveries.fanout(article.id, clock.now(), {})
        await deliveries.update_broadcast(article.id, fanout_done=True)
        rows = await db.fetchall(
            "SELECT id, chat_id FROM deliveries WHERE article_id = ?", (article.id,)
        )
        clock.advance(timedelta(minutes=15))
        # Message ids grow per chat in Telegram; any distinct value works for the record.
        await OutboxRepository(db).mark_sent_many(
            [(r["id"], day * 100 + i) for r in rows], clock.now()
        )
        await deliveries.update_broadcast(article.id, finished_at=clock.now())
        sent += len(rows)
    return sent


async def timed_prune(db: Database, service: RetentionService, path: Path) -> tuple[float, int]:
    """Run the daily prune; return its duration and the largest WAL seen meanwhile (the log
    is emptied first: the day's fan-outs, one big transaction each, would set its size)."""
    await db.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
    peak = wal_size(path)
    task = asyncio.create_task(service.prune_if_due())
    started = time.perf_counter()
    while not task.done():
        peak = max(peak, wal_size(path))
        await asyncio.sleep(0.01)
    await task
    return time.perf_counter() - started, max(peak, wal_size(path))


async def simulate(
    path: Path, args: argparse.Namespace, days: range, run: Run, *, prune: bool
) -> None:
    """Simulate `days` on the database at `path` (creating the readers on day 1); with prune,
    the daily prune runs after each day but the very last (measured with the bot)."""
    started = time.perf_counter()
    db = await Database.open(path)
    try:
        clock = FakeClock(START + timedelta(days=days.start))
        if days.start == 1:
            await SubscriberRepository(db).insert_many(
                [(c, "private", f"R{c}", "instant", 8, "UTC") for c in range(1, args.readers + 1)],
                clock.now(),
            )
        service = RetentionService(RetentionRepository(db), clock, args.retention)
        for day in days:
            began = time.perf_counter()
            run.delivered += await publish_day(db, clock, day, args.per_day)
            if day % 10 == 0:
                print(f"  day {day}: published in {time.perf_counter() - began:.1f} s", flush=True)
            if prune and day < args.days:
                clock.set(START + timedelta(days=day, hours=23))
                seconds, peak = await timed_prune(db, service, path)
                run.wal_peak = max(run.wal_peak, peak)
                if day > args.retention:  # steady state: a full day to compact
                    run.prune_seconds.append(seconds)
            if day in CHECKPOINTS or day == args.days:
                await db.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
                run.sizes[day] = file_size(path)
                print(f"  day {day}: {file_size(path) / 1e6:.1f} MB", flush=True)
        await db.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'articles_fts%'"
        )
        run.rows = await RetentionRepository(db).row_counts(tuple(r["name"] for r in tables))
    finally:
        await db.close()
    run.seconds += time.perf_counter() - started


async def help_latencies(fake: FakeBotAPI, until: asyncio.Task[object] | float) -> list[float]:
    """A reader's /help, again and again, until the task ends (or for that many seconds)."""
    samples: list[float] = []
    deadline = time.monotonic() + until if isinstance(until, float) else None
    user = 900_000
    fake.add_user(user, "Timer")
    while (deadline and time.monotonic() < deadline) or (
        isinstance(until, asyncio.Task) and not until.done()
    ):
        asked = time.monotonic()
        fake.send_text(user, "/help")
        await fake.wait_for_message(user, predicate=lambda m: "/settings" in m.text, timeout=30)
        samples.append(time.monotonic() - asked)
        await asyncio.sleep(0.05)
    return samples


def p95(samples: list[float]) -> float:
    """The 95th percentile."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0


async def reply_during_prune(path: Path, args: argparse.Namespace) -> tuple[list[float], ...]:
    """Start the real bot on the pruned database; time /help without and during a prune."""
    async with FakeBotAPI() as fake:
        settings = make_settings(fake, path, RETENTION_DAYS=str(args.retention))
        clock = FakeClock(START + timedelta(days=args.days, hours=23))
        options = RunOptions(
            clock=clock,
            engine=EngineOptions(poll_interval=0.05),
            poll_timeout=1,
            job_interval_scale=1000,  # no job of its own gets in the way
        )
        ready: asyncio.Future[BotApplication] = asyncio.get_running_loop().create_future()
        stop = asyncio.Event()
        task = asyncio.create_task(serve(settings, stop, options, on_ready=ready.set_result))
        app = await asyncio.wait_for(ready, 30)
        services = app.bot_data.services
        try:
            quiet = await help_latencies(fake, 5.0)
            prune = asyncio.create_task(services.retention.prune_if_due())
            started = time.perf_counter()
            busy = await help_latencies(fake, prune)
            report = await prune
            took = time.perf_counter() - started
            print(f"  bot's daily prune: {took:.1f} s, {report}")
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
    return quiet, busy


def report(
    base: Run, pruned: Run, quiet: list[float], busy: list[float], args: argparse.Namespace
) -> int:
    """Print the tables and return 1 if a target was missed."""
    print(f"\nDatabase size (MB), {args.readers} readers, {args.per_day} articles a day")
    print(f"{'day':>5} {'no pruning':>12} {f'RETENTION_DAYS={args.retention}':>18} {'ratio':>7}")
    for day in sorted(pruned.sizes):
        if day in base.sizes:
            b, p = base.sizes[day] / 1e6, pruned.sizes[day] / 1e6
            print(f"{day:>5} {b:>12.1f} {p:>18.1f} {p / b:>7.2f}")
    kept = pruned.rows.get("deliveries", 0)
    last = max(pruned.sizes)
    print(
        f"\nBytes per delivered message kept: no pruning {base.sizes[last] / base.delivered:.0f}"
        f" ({base.delivered} on record); pruned {pruned.sizes[last] / max(kept, 1):.0f}"
        f" ({kept} on record of {pruned.delivered} delivered)"
    )
    print("\nRows per table at the end (no pruning / pruned):")
    for table in sorted(set(base.rows) | set(pruned.rows)):
        print(f"  {table:<24} {base.rows.get(table, 0):>10} {pruned.rows.get(table, 0):>10}")
    if pruned.prune_seconds:
        print(
            f"\nDaily prune in the simulation (in memory; steady state,"
            f" {len(pruned.prune_seconds)} days): median"
            f" {statistics.median(pruned.prune_seconds):.1f} s,"
            f" max {max(pruned.prune_seconds):.1f} s;"
            f" largest WAL while pruning {pruned.wal_peak / 1e6:.1f} MB"
        )
    print(
        f"/help: p95 {p95(quiet) * 1000:.0f} ms with no prune ({len(quiet)} asks),"
        f" p95 {p95(busy) * 1000:.0f} ms during the daily prune ({len(busy)} asks),"
        f" ratio {p95(busy) / max(p95(quiet), 1e-6):.1f}"
    )
    print(
        f"Simulation time (in memory): days 1-{args.retention} and the pruned rest"
        f" {pruned.seconds:.0f} s, the baseline's rest {base.seconds:.0f} s"
    )
    ref = min(d for d in pruned.sizes if d >= min(args.retention, last))
    ratio = pruned.sizes[last] / pruned.sizes[ref]
    ok = ratio <= 1.15 and p95(busy) <= 1.0
    print(
        f"\nday {last} / day {ref} with pruning: {ratio:.2f} (target <= 1.15); "
        f"{'all targets met' if ok else 'TARGET MISSED'}"
    )
    return 0 if ok else 1


async def main() -> int:
    """Run both simulations and the reply measurement, then print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--readers", type=int, default=20_000)
    parser.add_argument("--per-day", type=int, default=10)
    parser.add_argument("--retention", type=int, default=30)
    args = parser.parse_args()
    # The simulation writes several GB of WAL a day (each delivery touches pages all over
    # its indexes); in memory it takes minutes instead of an hour, and sizes are the same.
    # The bot's prune and the replies are measured on disk.
    shm = Path("/dev/shm")  # noqa: S108 - a private temporary folder is made inside
    with (
        tempfile.TemporaryDirectory(prefix="retention-", dir=shm if shm.is_dir() else None) as mem,
        tempfile.TemporaryDirectory(prefix="retention-bench-") as disk,
    ):
        pruned_db, base_db = Path(mem) / "pruned.db", Path(mem) / "base.db"
        pruned, base = Run(), Run()
        # Until day RETENTION_DAYS nothing is old enough to prune: both runs share those days.
        shared = range(1, min(args.retention, args.days) + 1)
        print(f"Days {shared.start}-{shared.stop - 1} (the same with and without pruning):")
        await simulate(pruned_db, args, shared, pruned, prune=True)
        shutil.copyfile(pruned_db, base_db)
        base.sizes, base.delivered = dict(pruned.sizes), pruned.delivered
        rest = range(shared.stop, args.days + 1)
        print(f"Days {rest.start}-{args.days} with the daily prune:", flush=True)
        await simulate(pruned_db, args, rest, pruned, prune=True)
        print(f"Days {rest.start}-{args.days} without pruning (baseline):", flush=True)
        await simulate(base_db, args, rest, base, prune=False)
        on_disk = Path(disk) / "pruned.db"
        shutil.copyfile(pruned_db, on_disk)
        print("The bot on the pruned database (on disk), /help before and during its prune:")
        quiet, busy = await reply_during_prune(on_disk, args)
    return report(base, pruned, quiet, busy, args)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
