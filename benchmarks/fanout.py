"""Fan-out benchmark (issue 15), run by hand:

    python benchmarks/fanout.py [--subscribers 100000] [--rounds 5] [--vocabulary 2000]

Two databases that differ only in follow/mute words: in one, 10% of the readers follow three
words and 10% mute two (from a vocabulary of 2,000 by default, of which every article
contains 40: the number of distinct words is what the matching step costs);
in the other nobody has words. Both have 20% of readers with topics and 10% on digests.
Rounds alternate between them; each publishes a fresh article and times its fan-out
(matching the words with the full-text index, then queueing every recipient). Printed: the
median time of each, their ratio (target <= 1.5: words must not blow the fan-out's budget),
and how many readers each fan-out queued.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import SystemClock  # noqa: E402
from bot.services.text.timeutil import next_digest_time  # noqa: E402
from storage.articles import ArticleRepository  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.deliveries import DeliveryRepository  # noqa: E402
from storage.models import NewArticle  # noqa: E402
from storage.subscribers import SubscriberRepository  # noqa: E402

VOCABULARY = [f"term{i}" for i in range(2_000)]  # replaced by --vocabulary
TOPICS = ("politics", "sport", "culture", "science", "business")
TARGET_RATIO = 1.5


async def make_db(path: Path, subscribers: int, *, words: bool) -> None:
    """`subscribers` active readers (same on every call: seeded), with words or without."""
    rng = random.Random(15)
    db = await Database.open(path)
    repo = SubscriberRepository(db)
    now = SystemClock().now()
    rows = [
        (c, "private", f"R{c}", "digest" if c % 10 == 0 else "instant", 8, "Europe/Berlin")
        for c in range(1, subscribers + 1)
    ]
    await repo.insert_many(rows, now)
    topics = [(c, rng.choice(TOPICS)) for c in range(1, subscribers + 1) if c % 5 == 1]
    await db.executemany("INSERT INTO subscriber_topics (chat_id, tag) VALUES (?, ?)", topics)
    if words:
        chosen = []
        for c in range(1, subscribers + 1):
            if c % 10 == 3:
                chosen += [(c, "follow", w) for w in rng.sample(VOCABULARY, 3)]
            elif c % 10 == 7:
                chosen += [(c, "mute", w) for w in rng.sample(VOCABULARY, 2)]
        await db.executemany(
            "INSERT OR IGNORE INTO subscriber_words (chat_id, kind, word) VALUES (?, ?, ?)",
            chosen,
        )
    await db.close()


async def fan_out_once(db: Database, round_no: int) -> tuple[float, int]:
    """Publish a fresh article (tagged, and containing some vocabulary words); time its
    fan-out; return (seconds, recipients)."""
    articles, deliveries = ArticleRepository(db), DeliveryRepository(db)
    clock = SystemClock()
    rng = random.Random(round_no)
    body = "Benchmark story about " + " ".join(rng.sample(VOCABULARY, 40)) + "."
    stamp = f"{round_no}-{time.time_ns()}"
    article = await articles.create(
        NewArticle(title=f"Story {stamp}", body=body, summary=body[:200], tags=("sport",)),
        content_hash=hashlib.sha256(stamp.encode()).hexdigest(),
        status="draft",
        now=clock.now(),
    )
    await deliveries.start_broadcast(article.id, None, clock.now())
    started = time.perf_counter()
    now = clock.now()
    due = {
        (zone, hour): next_digest_time(now, hour, ZoneInfo(zone))
        for zone, hour in await deliveries.digest_slots()
    }
    added = await deliveries.fanout(article.id, now, due)
    return time.perf_counter() - started, added


async def main() -> None:
    """Alternate rounds between the two databases and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--vocabulary", type=int, default=2_000, help="distinct words in use")
    args = parser.parse_args()
    VOCABULARY[:] = [f"term{i}" for i in range(max(args.vocabulary, 40))]
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"without words": Path(tmp) / "plain.db", "with words": Path(tmp) / "words.db"}
        for name, path in paths.items():
            await make_db(path, args.subscribers, words=name == "with words")
        times: dict[str, list[float]] = {name: [] for name in paths}
        queued: dict[str, list[int]] = {name: [] for name in paths}
        for round_no in range(args.rounds):
            order = list(paths) if round_no % 2 == 0 else list(reversed(paths))
            for name in order:
                db = await Database.open(paths[name])
                try:
                    took, added = await fan_out_once(db, round_no)
                finally:
                    await db.close()
                times[name].append(took)
                queued[name].append(added)
    print(
        f"Fan-out of one article to {args.subscribers:,} subscribers, {args.rounds} rounds,"
        f" words drawn from {len(VOCABULARY):,}"
    )
    print("| database | median s | min s | max s | readers queued (median) |")
    print("|---|---|---|---|---|")
    for name in paths:
        t = times[name]
        print(
            f"| {name} | {statistics.median(t):.3f} | {min(t):.3f} | {max(t):.3f} |"
            f" {statistics.median(queued[name]):,.0f} |"
        )
    ratio = statistics.median(times["with words"]) / statistics.median(times["without words"])
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"ratio with/without words: {ratio:.2f} (target <= {TARGET_RATIO}): {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
