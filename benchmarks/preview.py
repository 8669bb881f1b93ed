"""Preview benchmark (issue 10), run by hand:

    python benchmarks/preview.py [--subscribers 100000] [--rounds 5]

Every preview, and every section button pressed on one, counts the readers the draft would
reach (`DeliveryRepository.audience`, the fan-out's rule as a COUNT). This times that count
against the fan-out of the same article, measured in the same rounds on the same database
(the one benchmarks/fanout.py builds, with follow/mute words: 20% of readers with topics,
10% on digests). Printed: median, min and max of each, the ratio count/fan-out (target
<= 0.5: drawing a preview must cost well under publishing), and that the count equals the
number of readers the fan-out queued.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fanout import make_db  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.services.text.timeutil import next_digest_time  # noqa: E402
from storage.articles import ArticleRepository  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.deliveries import DeliveryRepository  # noqa: E402
from storage.models import NewArticle  # noqa: E402

TARGET_RATIO = 0.5


async def one_round(db: Database, round_no: int) -> tuple[float, float, int, int]:
    """A fresh sport draft: time its audience count, then its fan-out; return both times,
    the count and the readers queued."""
    articles, deliveries = ArticleRepository(db), DeliveryRepository(db)
    now = SystemClock().now()
    stamp = f"{round_no}-{time.time_ns()}"
    body = f"Preview benchmark story {stamp} about term1 and term2 and the harbour."
    article = await articles.create(
        NewArticle(title=f"Story {stamp}", body=body, summary=body, tags=("sport",)),
        content_hash=hashlib.sha256(stamp.encode()).hexdigest(),
        status="draft",
        now=now,
    )
    started = time.perf_counter()
    audience = await deliveries.audience(article.id)
    counted = time.perf_counter() - started
    await deliveries.start_broadcast(article.id, None, now)
    due = {
        (zone, hour): next_digest_time(now, hour, ZoneInfo(zone))
        for zone, hour in await deliveries.digest_slots()
    }
    started = time.perf_counter()
    queued = await deliveries.fanout(article.id, now, due)
    fanned = time.perf_counter() - started
    return counted, fanned, audience.instant + audience.digest, queued


async def main() -> None:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    counts: list[float] = []
    fanouts: list[float] = []
    agree = True
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "readers.db"
        await make_db(path, args.subscribers, words=True)
        db = await Database.open(path)
        try:
            for round_no in range(args.rounds):
                counted, fanned, audience, queued = await one_round(db, round_no)
                counts.append(counted)
                fanouts.append(fanned)
                agree = agree and audience == queued
        finally:
            await db.close()
    print(f"Preview count vs fan-out, {args.subscribers:,} subscribers, {args.rounds} rounds")
    print("| step | median s | min s | max s |")
    print("|---|---|---|---|")
    for name, times in (("audience count (preview)", counts), ("fan-out (publish)", fanouts)):
        print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |")
    ratio = statistics.median(counts) / statistics.median(fanouts)
    verdict = "PASS" if ratio <= TARGET_RATIO and agree else "FAIL"
    print(f"count equals readers queued in every round: {agree}")
    print(f"ratio count/fan-out: {ratio:.2f} (target <= {TARGET_RATIO}): {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
