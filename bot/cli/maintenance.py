"""`newsbot migrate`, `newsbot stats [--json] [--chart FILE.png]` and `newsbot backup`."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from bot.cli.common import CliError, load_settings
from bot.clock import SystemClock
from bot.services.delivery.stats import LATEST, StatsReport, StatsService, stats_text
from bot.services.engagement.chart import chart_png
from storage.articles import ArticleRepository
from storage.db import Database, StorageError, backup_file
from storage.deliveries import DeliveryRepository
from storage.engagement import EngagementRepository
from storage.subscribers import SubscriberRepository


def migrate(args: argparse.Namespace) -> int:
    """Apply pending migrations and say which."""
    settings = load_settings(args)

    async def go() -> list[int]:
        db = await Database.open(settings.database_path, migrate=False)
        try:
            return await db.migrate()
        finally:
            await db.close()

    applied = asyncio.run(go())
    if applied:
        print(
            f"applied migrations {', '.join(f'{v:04d}' for v in applied)}"
            f" to {settings.database_path}"
        )
    else:
        print(f"{settings.database_path} is up to date")
    return 0


def configure_stats(parser: argparse.ArgumentParser) -> None:
    """`newsbot stats [--json] [--chart FILE.png]`."""
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (subscribers, articles)"
    )
    parser.add_argument(
        "--chart", metavar="FILE.png", help="also write the statistics chart to this PNG file"
    )


def stats(args: argparse.Namespace) -> int:
    """Print subscriber, delivery and engagement statistics (text or JSON); draw the chart."""
    settings = load_settings(args)
    if not Path(settings.database_path).exists():
        raise StorageError(f"no database at {settings.database_path}")
    chart = Path(args.chart) if getattr(args, "chart", None) else None
    if chart is not None and not chart.parent.is_dir():
        raise CliError(f"--chart: folder {chart.parent} does not exist")

    async def go() -> tuple[StatsReport, bytes | None]:
        # Read-only commands never migrate: a newer CLI must not change the schema under a
        # running older bot.
        db = await Database.open(settings.database_path, migrate=False)
        try:
            await db.require_current()
            service = StatsService(
                SubscriberRepository(db),
                ArticleRepository(db),
                DeliveryRepository(db),
                EngagementRepository(db),
            )
            report = await service.report(None if args.json else LATEST)
            png = None
            if chart is not None:
                png = await chart_png(await service.chart_data(SystemClock().now()))
            return report, png
        finally:
            await db.close()

    report, png = asyncio.run(go())
    if chart is not None and png is not None:
        chart.write_bytes(png)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(stats_text(report, settings.timezone, html=False))
        if chart is not None:
            print(f"chart written to {chart}")
    return 0


def configure_backup(parser: argparse.ArgumentParser) -> None:
    """`newsbot backup PATH`."""
    parser.add_argument("path", metavar="PATH", help="where to write the copy")


def backup(args: argparse.Namespace) -> int:
    """Copy the live database with SQLite's online backup API."""
    settings = load_settings(args)
    target = Path(args.path)
    if target.exists():
        raise StorageError(f"{target} already exists; choose a new file")
    if not Path(settings.database_path).exists():
        raise StorageError(f"no database at {settings.database_path}")

    asyncio.run(backup_file(settings.database_path, target))
    print(f"backed up {settings.database_path} to {target}")
    return 0
