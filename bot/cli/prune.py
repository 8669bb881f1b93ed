"""`newsbot prune`: compact and prune old records now, and show what it freed."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from datetime import timedelta
from pathlib import Path

from bot.cli.common import CliError, load_settings
from bot.clock import SystemClock
from bot.services.operations.retention import PruneReport, RetentionService
from storage.db import Database, StorageError
from storage.retention import RetentionRepository

_LABELS = {
    "deliveries": "deliveries compacted into per-article totals",
    "messages": "article message records",
    "broadcasts": "progress records of finished broadcasts",
    "prompts": "comment prompts",
    "feed_entries": "feed entries no longer listed",
    "drafts": "drafts never published",
    "related": "related-article entries of withdrawn articles",
    "batches": "batches (one short transaction each)",
}


def configure(parser: argparse.ArgumentParser) -> None:
    """`--older-than DAYS` (default RETENTION_DAYS; 0 compacts everything already final)."""
    parser.add_argument(
        "--older-than",
        metavar="DAYS",
        help="prune records older than DAYS (default: RETENTION_DAYS; 0: all that are final)",
    )


def _days(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    if not raw.strip().isdecimal():
        raise CliError(f"--older-than must be a whole number of days (0 or more), got {raw!r}")
    return int(raw)


def _size(path: Path) -> str:
    wal = Path(f"{path}-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    return f"{path.stat().st_size / 1e6:.2f} MB (WAL {wal_size / 1e6:.2f} MB)"


def run(args: argparse.Namespace) -> int:
    """Prune, then print the counts and the file's size before and after."""
    settings = load_settings(args)
    days = _days(args.older_than, settings.retention_days)
    path = Path(settings.database_path)
    if not path.exists():
        raise StorageError(f"no database at {path}")

    async def go() -> tuple[PruneReport, str]:
        # Like the other maintenance commands, never migrates: the running bot owns the schema.
        db = await Database.open(path, migrate=False)
        try:
            await db.require_current()
            repo = RetentionRepository(db)
            service = RetentionService(repo, SystemClock(), settings.retention_days)
            report = await service.prune(timedelta(days=days))
            return report, await repo.free_space()
        finally:
            await db.close()

    before = _size(path)
    report, free = asyncio.run(go())
    print(f"pruned records older than {days} days from {path}")
    for name in dataclasses.fields(report):
        label = _LABELS.get(name.name, name.name.replace("_", " "))
        print(f"  {label}: {getattr(report, name.name)}")
    print(f"size before: {before}")
    print(f"size after:  {_size(path)}, of which free for reuse: {free}")
    return 0
