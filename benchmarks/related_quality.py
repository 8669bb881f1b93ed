"""Related-articles benchmark: precision@3 on ECB+ beside a TF-IDF cosine baseline, and latency.

Run as ``python benchmarks/related_quality.py [--size N]``. Quality: the ECB+ events set plus the
BBC and CNN/DailyMail sets (unrelated distractors) are imported into a temporary SQLite
database through our storage layer; for every ECB+ article, each of its three suggestions
counts as a hit when it reports the same event (`cluster`). Missing suggestions count as
misses. ECB+ articles with an empty body are kept as queries (their title is the first
sentence, which readers would see too) and counted like the others; the figure without them
is printed beside. The baseline is brute-force TF-IDF cosine (scikit-learn, sublinear tf,
English stop words) over the same archive in the same run. Latency: a synthetic archive of
--size articles (default 100,000) with a Zipf vocabulary and topical words; p50/p95 of the
publish-time computation (`refresh`) and of a lookup of a stored list (`related`).
Skips cleanly (exit 0) when ../shared/data is absent; exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bot.clock import FakeClock  # noqa: E402
from bot.services.readers.related import RelatedService  # noqa: E402
from storage.articles import ArticleRepository  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import NewArticle  # noqa: E402
from storage.related import RelatedRepository  # noqa: E402

DATA = PROJECT.parent / "shared" / "data"
FILES = ("ecbplus_events_dev.jsonl", "bbc_news_dev.jsonl", "cnndm_summaries_dev.jsonl")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
P95_TARGET_MS = 20.0


def load_rows() -> list[dict[str, str]]:
    """Every article of the three files, ECB+ first."""
    rows: list[dict[str, str]] = []
    for name in FILES:
        lines = (DATA / name).read_text(encoding="utf-8").splitlines()
        rows += [json.loads(line) for line in lines if line.strip()]
    return rows


def baseline(rows: list[dict[str, str]], queries: list[int]) -> list[list[int]]:
    """Top-3 row indexes by TF-IDF cosine for each query row."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [f"{r['title']}\n{r['body']}" for r in rows]
    )
    scores = linear_kernel(matrix[queries], matrix)
    out = []
    for n, i in enumerate(queries):
        scores[n, i] = -1.0
        out.append([int(j) for j in scores[n].argsort()[::-1][:3]])
    return out


def precision(rows: list[dict[str, str]], picks: dict[int, list[int]], keep: list[int]) -> float:
    """Share of the 3 slots per query holding an article of the same cluster."""
    hits = sum(
        1 for i in keep for j in picks[i][:3] if rows[j].get("cluster") == rows[i]["cluster"]
    )
    return hits / (3 * len(keep))


async def ours(
    rows: list[dict[str, str]], queries: list[int], folder: Path
) -> dict[int, list[int]]:
    """Import everything through the storage layer, refresh, and read the stored lists."""
    db = await Database.open(folder / "quality.db")
    try:
        articles, ids = ArticleRepository(db), []
        for n, row in enumerate(rows):
            new = NewArticle(title=row["title"], body=row["body"], summary="", source="import",
                             external_id=str(row["id"]))  # fmt: skip
            stored = await articles.create(new, content_hash=f"h{n}", status="archived", now=NOW)
            ids.append(stored.id)
        service = RelatedService(RelatedRepository(db), FakeClock(NOW))
        start = time.perf_counter()
        await service.refresh_missing()
        took = time.perf_counter() - start
        print(f"bulk refresh of {len(rows)} articles: {took:.1f} s")
        row_of = {aid: n for n, aid in enumerate(ids)}
        repo = RelatedRepository(db)
        return {i: [row_of[r.id] for r in await repo.related(ids[i], 3)] for i in queries}
    finally:
        await db.close()


def quality() -> bool:
    """Print precision@3 for ours and the baseline; True when ours is at least as good."""
    rows = load_rows()
    queries = [i for i, r in enumerate(rows) if "cluster" in r]
    with_body = [i for i in queries if rows[i]["body"].strip()]
    with tempfile.TemporaryDirectory() as folder:
        mine = asyncio.run(ours(rows, queries, Path(folder)))
    base = dict(zip(queries, baseline(rows, queries), strict=True))
    print(f"archive: {len(rows)} articles, {len(queries)} ECB+ queries "
          f"({len(queries) - len(with_body)} with an empty body)")  # fmt: skip
    ok = True
    for label, keep in (("all ECB+ queries", queries), ("non-empty bodies", with_body)):
        p_ours, p_base = precision(rows, mine, keep), precision(rows, base, keep)
        print(f"precision@3 {label:18s} ours {p_ours:6.1%}   baseline {p_base:6.1%}"
              f"   target >= baseline  {'OK' if p_ours >= p_base else 'MISSED'}")  # fmt: skip
        ok = ok and p_ours >= p_base
    return ok


def synthetic(size: int, seed: int = 7) -> list[tuple[str, str]]:
    """Articles over a Zipf vocabulary of made-up words, each leaning on one of many topics."""
    rnd = random.Random(seed)
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ru",
        "sa",
        "ti",
        "vo",
        "ba",
        "de",
        "fi",
        "gu",
        "ha",
        "je",
        "ko",
        "li",
        "mu",
        "na",
        "po",
        "re",
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
        compute, lookup = [], []
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
    ok = True
    for label, values in (("publish-time computation", compute), ("lookup", lookup)):
        values.sort()
        p95 = pct(values, 0.95)
        verdict = "OK" if p95 <= P95_TARGET_MS else "MISSED"
        print(
            f"{label:25s} p50 {statistics.median(values):6.2f} ms   p95 {p95:6.2f} ms"
            f"   target p95 <= {P95_TARGET_MS:.0f} ms  {verdict}"
        )
        ok = ok and p95 <= P95_TARGET_MS
    return ok


def main() -> int:
    """Run both parts; exit status 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="synthetic archive size")
    args = parser.parse_args()
    if not all((DATA / name).is_file() for name in FILES):
        print(f"skipped: evaluation data not found in {DATA}")
        return 0
    good = quality()
    with tempfile.TemporaryDirectory() as folder:
        good = asyncio.run(latency(args.size, Path(folder))) and good
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
