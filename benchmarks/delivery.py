"""Delivery benchmarks at Telegram's real round trips (issues 3 and 11), run by hand:

    python benchmarks/delivery.py [--only table|writes|million] [--delays 0,50,150,300]
                                  [--million 1000000] [--stop-after N]

1. The table: for each network round trip, `newsbot run` (a real subprocess) delivers one
   article through the fake Bot API (in this process), which answers every call a round trip
   late and enforces Telegram's limits strictly (30/s overall, 1/s per chat, 429 with
   retry_after). Columns: achieved steady rate / cap at BROADCAST_RATE=30 (target >= 0.97,
   no 429), paid broadcasts at 300 (target >= 0.95) and at 1000, the p95 latency of readers'
   /help during the 30/s broadcast (target <= 1 s + one round trip), the most sendMessage
   calls in flight at once, and after a `kill -9` mid-broadcast (paid, 300/s): the rows the
   restarted bot reported ambiguous and the duplicates readers actually got.
2. Recording sent rows through the database thread (the default) against the direct write on
   the event loop's thread (`Database.write_hot`): paid 1000/s at 0 and 150 ms, alternating.
3. Peak RSS of `newsbot run` delivering to 1,000,000 subscribers at 150 ms (< 150 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.delivery_writes import million, write_paths  # noqa: E402
from tests.botprocess import prepare_outbox, spawn_bot, stop_bot  # noqa: E402
from tests.conftest import ADMIN_ID  # noqa: E402
from tests.fakes.botapi import FakeBotAPI  # noqa: E402

FIRST = 1_000_000
PROBES = 9_000_000  # readers who ask /help during the broadcast (not subscribed)
REPORTED = re.compile(r"(\d+) deliveries were in flight when the bot stopped")


@dataclass(frozen=True)
class Run:
    """One broadcast's figures, from the fake's records."""

    rate: float  # steady rate: sends between the 10th and the 90th percentile
    too_many: int
    in_flight: int
    help_p95: float | None = None
    ambiguous: int | None = None
    duplicates: int | None = None


def steady_rate(times: list[float]) -> float:
    """Sends per second between the 10th and 90th percentile of arrivals (no ramp, no tail)."""
    times.sort()
    low, high = len(times) // 10, len(times) * 9 // 10
    return (high - low) / (times[high] - times[low])


def arrivals(fake: FakeBotAPI, first: int, count: int) -> list[float]:
    """When accepted sendMessage calls reached the fake: to the subscribers, and the answers
    to readers asking /help meanwhile (they share the budget: the cap counts both)."""
    return [
        r.mono
        for r in fake.requests
        if r.method.lower() == "sendmessage"
        and r.status == 200
        and (
            first <= int(r.params["chat_id"]) < first + count or int(r.params["chat_id"]) > PROBES
        )
    ]


async def probe_help(fake: FakeBotAPI, stop: asyncio.Event, latencies: list[float]) -> None:
    """A reader asks /help every 0.25 s (a new reader each time) and times the answer,
    from when the broadcast is under way."""
    await fake.wait_until(lambda: len(fake.stats.messages_per_chat) >= 10, timeout=60)
    reader = PROBES
    while not stop.is_set():
        reader += 1
        fake.add_user(reader, f"P{reader}")
        asked = time.monotonic()
        fake.send_text(reader, "/help")
        answer = await fake.wait_for_message(reader, timeout=30)
        latencies.append(answer.mono - asked)
        await asyncio.sleep(0.25)


async def broadcast(
    round_trip: float, rate: int, paid: bool, count: int, *, probe: bool = False
) -> Run:
    """One article to `count` readers through `newsbot run`; figures from the fake."""
    async with FakeBotAPI(round_trip=round_trip, rate_limit=True, chat_burst=1) as fake:
        return await _with_bot(fake, rate, paid, count, probe)


def add_readers(fake: FakeBotAPI, count: int) -> None:
    """The admin and `count` readers, known to the fake Bot API."""
    fake.add_user(ADMIN_ID, "Ada")
    for chat in range(FIRST, FIRST + count):
        fake.add_user(chat, f"R{chat}")


async def _with_bot(fake: FakeBotAPI, rate: int, paid: bool, count: int, probe: bool) -> Run:
    add_readers(fake, count)
    with tempfile.TemporaryDirectory() as tmp:
        db, log = Path(tmp) / "bench.db", Path(tmp) / "bot.log"
        await prepare_outbox(db, range(FIRST, FIRST + count), "Benchmark story", admin=None)
        env = {"BROADCAST_RATE": str(rate), "PAID_BROADCAST": str(paid).lower()}
        bot = await spawn_bot(fake, db, log, LOG_LEVEL="WARNING", **env)
        stop, latencies = asyncio.Event(), []
        prober = asyncio.create_task(probe_help(fake, stop, latencies)) if probe else None
        try:
            await fake.wait_until(
                lambda: len(fake.stats.messages_per_chat) >= count,
                timeout=count / rate * 3 + 30,
                what="every reader served",
            )
        finally:
            stop.set()
            if prober is not None:
                await prober
            await stop_bot(bot)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else None
    return Run(
        steady_rate(arrivals(fake, FIRST, count)),
        fake.stats.too_many_requests,
        fake.stats.in_flight_peak,
        p95,
    )


async def killed(round_trip: float, rate: int, count: int) -> Run:
    """`kill -9` once a third is delivered, restart, finish: ambiguous rows and duplicates."""
    async with FakeBotAPI(round_trip=round_trip, rate_limit=True, chat_burst=1) as fake:
        add_readers(fake, count)
        with tempfile.TemporaryDirectory() as tmp:
            db, log = Path(tmp) / "kill.db", Path(tmp) / "bot.log"
            await prepare_outbox(db, range(FIRST, FIRST + count), "Killed story", admin=None)
            env = {"BROADCAST_RATE": str(rate), "PAID_BROADCAST": "true", "LOG_LEVEL": "WARNING"}
            bot = await spawn_bot(fake, db, log, **env)
            served = fake.stats.messages_per_chat
            await fake.wait_until(lambda: len(served) >= count // 3, timeout=120)
            await stop_bot(bot, signal.SIGKILL)
            bot = await spawn_bot(fake, db, log, **env)
            try:
                await fake.wait_until(lambda: len(served) >= count, timeout=300)
            finally:
                await stop_bot(bot)
            reported = sum(int(n) for n in REPORTED.findall(log.read_text()))
    duplicates = sum(n - 1 for n in fake.stats.messages_per_chat.values())
    return Run(0.0, fake.stats.too_many_requests, 0, None, reported, duplicates)


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


async def table(delays: list[int], scale: float) -> int:
    """Benchmark 1: the table; returns 1 if a target was missed."""
    print(
        "\n1. Delivery at Telegram's limits, fake enforcing 30/s overall and 1/s per chat"
        "\n   (figures: steady rate / cap; 429 answers; most sendMessage calls in flight)"
    )
    head = (
        f"{'RTT':>6} | {'30/s':>6} {'429':>4} {'fly':>4} | {'paid 300':>8} {'429':>4}"
        f" {'fly':>4} | {'paid 1000':>9} {'fly':>4} | {'/help p95':>9} {'target':>6}"
        f" | {'ambiguous':>9} {'dups':>5}"
    )
    print(head + "\n" + "-" * len(head))
    failed = False
    for ms in delays:
        rt = ms / 1000
        free = await broadcast(rt, 30, False, int(900 * scale), probe=True)
        paid = await broadcast(rt, 300, True, int(6000 * scale))
        top = await broadcast(rt, 1000, True, int(15000 * scale))
        kill = await killed(rt, 300, int(3000 * scale))
        target = 1.0 + rt
        print(
            f"{ms:>4}ms | {free.rate / 30:>6.3f} {free.too_many:>4} {free.in_flight:>4} |"
            f" {paid.rate / 300:>8.3f} {paid.too_many:>4} {paid.in_flight:>4} |"
            f" {top.rate:>7.0f}/s {top.in_flight:>4} |"
            f" {_fmt(free.help_p95, '.2f'):>8}s {target:>5.2f}s |"
            f" {kill.ambiguous:>9} {kill.duplicates:>5}"
        )
        failed |= free.rate / 30 < 0.97 or free.too_many or paid.too_many
        failed |= paid.rate / 300 < 0.95 or (free.help_p95 or 0) > target
        failed |= (kill.duplicates or 0) > (kill.ambiguous or 0)
    print("targets: 30/s >= 0.97, paid 300 >= 0.95, no 429, /help p95 <= 1 s + RTT,")
    print("         duplicates <= ambiguous rows reported:", "FAIL" if failed else "PASS")
    return int(failed)


async def main() -> int:
    """Run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=("table", "writes", "million"))
    parser.add_argument("--delays", default="0,50,150,300", help="round trips, ms")
    parser.add_argument("--scale", type=float, default=1.0, help="subscribers per run x")
    parser.add_argument("--rounds", type=int, default=3, help="benchmark 2: rounds")
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--stop-after", type=int, default=0, help="benchmark 3: messages")
    args = parser.parse_args()
    runs: list[Callable[[], Awaitable[int]]] = []
    if args.only in (None, "table"):
        delays = [int(d) for d in args.delays.split(",")]
        runs.append(lambda: table(delays, args.scale))
    if args.only in (None, "writes"):
        runs.append(lambda: write_paths(args.rounds))
    if args.only in (None, "million"):
        runs.append(lambda: million(args.million, args.stop_after, 0.15))
    status = 0
    for run in runs:
        status |= await run()
    return status


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
