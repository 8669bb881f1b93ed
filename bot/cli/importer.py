"""`newsbot import FILE.jsonl`: load an article archive without delivering anything."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bot.cli.common import CliError, load_settings
from bot.clock import SystemClock
from bot.services.publishing.archive import (
    ArchiveImporter,
    ImportSummary,
    summarize_all,
    summarize_pair,
)
from storage.articles import ArticleRepository
from storage.db import Database


def configure(parser: argparse.ArgumentParser) -> None:
    """`newsbot import FILE.jsonl [--db PATH]`."""
    parser.add_argument(
        "file", metavar="FILE.jsonl", help="lines of {url, title, body, published_at?, tags?, id?}"
    )


def _progress(lines: int) -> None:
    print(f"… {lines} lines read", file=sys.stderr, flush=True)


async def _import(path: Path, db_path: Path, pool: ProcessPoolExecutor | None) -> ImportSummary:
    def summarizer(pairs: list[tuple[str, str]]) -> list[str]:
        if pool is None:
            return summarize_all(pairs)
        return list(pool.map(summarize_pair, pairs, chunksize=64))

    db = await Database.open(db_path)
    try:
        importer = ArchiveImporter(
            ArticleRepository(db), SystemClock(), summarizer=summarizer, progress=_progress
        )
        with path.open(encoding="utf-8") as lines:
            return await importer.run(lines)
    finally:
        await db.close()


def run(args: argparse.Namespace) -> int:
    """Import the file and print one summary line (added, updated, skipped with reasons)."""
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    settings = load_settings(args)
    workers = min(os.cpu_count() or 1, 8)
    # Summaries are pure-Python CPU work: a process pool spreads them over the cores.
    # spawn, not fork: forking a process that already runs threads is unsafe.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context) if workers > 1 else None
    try:
        summary = asyncio.run(_import(path, settings.database_path, pool))
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    finally:
        if pool is not None:
            pool.shutdown()
    print(summary.text())
    # Related-article suggestions for imported articles are computed by that feature's
    # own refresh (no per-article hooks here: they would be too slow for 100k rows).
    return 0
