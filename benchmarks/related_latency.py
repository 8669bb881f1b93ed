"""Related-articles latency on a synthetic archive (used by related_quality.py).

A synthetic archive of --size articles with a Zipf vocabulary of made-up words, topical
words and capitalised names; p50/p95 of the publish-time computation (`refresh`) and of a
lookup of a stored list (`related`), each beside a baseline measured in the same run on the
same connection: one SELECT of the article's title by primary key (what any read costs
through aiosqlite here), so that the ratios hold on a noisy machine.
"""

from __future__ import annotations

import itertools
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import FakeClock
from bot.services.readers.related import RelatedService
from storage.db import Database
from storage.related import RelatedRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
P95_TARGET_MS = 20.0


def synthetic(size: int, seed: int = 7) -> list[tuple[str, str]]:
    """Articles over a Zipf vocabulary of made-up words and names, each leaning on a topic."""
    rnd = random.Random(seed)
    syllables = [
        c + v for c, v in zip("klmnrstvbdfghjklmnpr", "aoieuaioaeiuaeoiuaoe", strict=True)
    ]
    words = sorted({"".join(rnd.choices(syllables, k=rnd.randint(2, 5))) for _ in range(250_000)})
    rnd.shuffle(words)
    cum = list(itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(len(words))))
    topics = [rnd.sample(words[2000:], 25) for _ in range(max(10, size // 40))]
    out = []
    for _ in range(size):
        topic = rnd.choice(topics)
        title = rnd.choices(topic, k=4) + rnd.choices(words, cum_weights=cum, k=4)
        body = rnd.choices(topic, k=50) + rnd.choices(words, cum_weights=cum, k=130)
        # Names: capitalised pairs, some from the topic, so that entities cost their share.
        body += [
            f"{a.title()} {b.title()}" for a, b in zip(topic[:6:2], topic[1:6:2], strict=True)
        ]
        body += [f"{rnd.choice(words).title()} {rnd.choice(words).title()}" for _ in range(3)]
        rnd.shuffle(body)
        out.append((" ".join(title).capitalize(), " ".join(body)))
    return out


def pct(values: list[float], share: float) -> float:
    """A percentile of sorted values."""
    return values[min(len(values) - 1, int(share * len(values)))]


async def latency(size: int, folder: Path, samples: int = 300) -> bool:
    """p50/p95 of refresh (publish time) and related (lookup) on a synthetic archive."""
    start = time.perf_counter()
    docs = synthetic(size)
    db = await Database.open(folder / "latency.db")
    try:
        for chunk in range(0, size, 5000):
            await db.executemany(
                "INSERT INTO articles (content_hash, title, body, source, status, created_at,"
                " published_at, updated_at) VALUES (?, ?, ?, 'import', 'archived', ?, ?, ?)",
                [(f"s{chunk + n}", t, b, int(NOW.timestamp()) - (chunk + n) * 60,
                  int(NOW.timestamp()) - (chunk + n) * 60, int(NOW.timestamp()))
                 for n, (t, b) in enumerate(docs[chunk : chunk + 5000])],
            )  # fmt: skip
        print(f"synthetic archive of {size} articles built and indexed in "
              f"{time.perf_counter() - start:.0f} s")  # fmt: skip
        service = RelatedService(RelatedRepository(db), FakeClock(NOW))
        start = time.perf_counter()
        signed = await service.sign_missing()
        print(f"bulk signing of {signed} articles: {time.perf_counter() - start:.0f} s")
        picks = random.Random(3).sample(range(1, size + 1), samples)
        compute, lookup, baseline = [], [], []
        for article_id in picks:
            t0 = time.perf_counter()
            await db.fetchone("SELECT title FROM articles WHERE id = ?", (article_id,))
            baseline.append((time.perf_counter() - t0) * 1000)
        for article_id in picks:
            t0 = time.perf_counter()
            await service.refresh(article_id)
            compute.append((time.perf_counter() - t0) * 1000)
        for article_id in picks:
            t0 = time.perf_counter()
            await service.related(article_id)
            lookup.append((time.perf_counter() - t0) * 1000)
    finally:
        await db.close()
    return report(compute, lookup, baseline)


def report(compute: list[float], lookup: list[float], baseline: list[float]) -> bool:
    """Print p50/p95 of each beside the baseline's; True when both p95 targets are met."""
    base = statistics.median(baseline)
    base_p95 = pct(sorted(baseline), 0.95)
    print(f"{'baseline: SELECT by id':25s} p50 {base:6.2f} ms   p95 {base_p95:6.2f} ms")
    ok = True
    for label, values in (("publish-time computation", compute), ("lookup", lookup)):
        values.sort()
        p95 = pct(values, 0.95)
        verdict = "OK" if p95 <= P95_TARGET_MS else "MISSED"
        print(
            f"{label:25s} p50 {statistics.median(values):6.2f} ms   p95 {p95:6.2f} ms"
            f"   p50 = {statistics.median(values) / base:5.1f} x baseline"
            f"   target p95 <= {P95_TARGET_MS:.0f} ms  {verdict}"
        )
        ok = ok and p95 <= P95_TARGET_MS
    return ok
