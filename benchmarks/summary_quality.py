"""Summary quality benchmark: ROUGE F1 of our summarizer against the lead-3 baseline.

Run from anywhere as ``python benchmarks/summary_quality.py``.  Reads the evaluation sets
from ``<project>/../shared/data/`` and skips cleanly when they are absent.  The CNN/DailyMail
set is the gate (exit status 1 if any metric is below lead-3 or below our recorded figures
from before issue 14, the "before" column); BBC figures are informational. Timings are
printed beside lead-3's own work (splitting the body into sentences) on the same articles,
and for a long article (LONG_ARTICLE bodies of the set joined).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bot.services.text.sentences import split_sentences  # noqa: E402
from bot.services.text.summarize import summarize  # noqa: E402

DATA = PROJECT.parent / "shared" / "data"
METRICS = ("rouge1", "rouge2", "rougeL")
DATASETS = (("cnndm_summaries_dev.jsonl", True), ("bbc_news_dev.jsonl", False))
LONG_ARTICLE = 40
# Our figures before summaries had to read on their own (issue 14), recorded on 2026-12-01
# with this script: the gate also holds the summarizer to them.
BEFORE = {
    "cnndm_summaries_dev.jsonl": {"rouge1": 42.53, "rouge2": 20.62, "rougeL": 27.83},
    "bbc_news_dev.jsonl": {"rouge1": 45.67, "rouge2": 37.50, "rougeL": 35.66},
}


@dataclass(frozen=True)
class Result:
    """Mean ROUGE F1 per metric for both systems, plus our timing."""

    ours: dict[str, float]
    lead3: dict[str, float]
    ms_mean: float
    ms_p95: float
    lead3_ms_mean: float
    rows: int


def evaluate(path: Path) -> Result:
    """Score our summarizer and lead-3 on one JSONL file."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    ours = dict.fromkeys(METRICS, 0.0)
    lead3 = dict.fromkeys(METRICS, 0.0)
    timings: list[float] = []
    lead3_timings: list[float] = []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        start = time.perf_counter()
        summary = summarize(row["title"], row["body"])
        timings.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        baseline = " ".join(split_sentences(row["body"])[:3])
        lead3_timings.append((time.perf_counter() - start) * 1000)
        for total, text in ((ours, summary), (lead3, baseline)):
            scores = scorer.score(row["reference_summary"], text)
            for metric in METRICS:
                total[metric] += scores[metric].fmeasure
    count = len(rows)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
    return Result(
        {m: 100 * v / count for m, v in ours.items()},
        {m: 100 * v / count for m, v in lead3.items()},
        statistics.fmean(timings),
        p95,
        statistics.fmean(lead3_timings),
        count,
    )


def report(name: str, result: Result, gate: bool) -> bool:
    """Print the table for one data set; return whether every metric passes."""
    print(f"\n{name} ({result.rows} articles){'' if gate else ' - informational'}")
    print(f"{'metric':<8} {'ours':>7} {'before':>7} {'lead-3':>7} {'ratio':>7}  status")
    passed = True
    before = BEFORE.get(name, {})
    for metric in METRICS:
        ours, base = result.ours[metric], result.lead3[metric]
        earlier = before.get(metric, 0.0)
        ok = ours >= base and ours >= earlier
        passed = passed and ok
        status = ("PASS" if ok else "FAIL") if gate else ("above" if ok else "below")
        print(f"{metric:<8} {ours:7.2f} {earlier:7.2f} {base:7.2f} {ours / base:7.3f}  {status}")
    print(
        f"time per article: mean {result.ms_mean:.2f} ms, p95 {result.ms_p95:.2f} ms;"
        f" lead-3 mean {result.lead3_ms_mean:.2f} ms"
        f" (ratio {result.ms_mean / result.lead3_ms_mean:.1f})"
    )
    return passed or not gate


def long_article(path: Path) -> None:
    """Time one long article: LONG_ARTICLE bodies of the set joined, beside lead-3's work."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    body = "\n\n".join(row["body"] for row in rows[:LONG_ARTICLE])
    ours, lead3 = [], []
    for _ in range(5):
        start = time.perf_counter()
        summarize(rows[0]["title"], body)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        split_sentences(body)
        lead3.append(time.perf_counter() - start)
    best, base = min(ours) * 1000, min(lead3) * 1000
    print(f"\nlong article ({len(body):,} characters): {best:.1f} ms, lead-3's splitting"
          f" {base:.1f} ms (ratio {best / base:.1f})")  # fmt: skip


def main() -> int:
    """Run every available data set and return the process exit status."""
    first = DATA / DATASETS[0][0]
    if not first.is_file():
        print(f"skipped: {first} not found")
        return 0
    ok = True
    for filename, gate in DATASETS:
        path = DATA / filename
        if path.is_file():
            ok = report(filename, evaluate(path), gate) and ok
        else:
            print(f"\n{filename}: skipped, not found")
    long_article(first)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
