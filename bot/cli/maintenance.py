"""`newsbot migrate`, `newsbot stats` and `newsbot backup`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.common import load_settings
from bot.services.delivery.stats import stats_text
from storage.db import Database, StorageError, backup_file
from storage.deliveries import DeliveryRepository
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


def stats(args: argparse.Namespace) -> int:
    """Print subscriber and delivery statistics."""
    settings = load_settings(args)
    if not Path(settings.database_path).exists():
        raise StorageError(f"no database at {settings.database_path}")

    async def go() -> str:
        # Read-only commands never migrate: a newer CLI must not change the schema under a
        # running older bot.
        db = await Database.open(settings.database_path, migrate=False)
        try:
            await db.require_current()
            return await stats_text(
                SubscriberRepository(db), DeliveryRepository(db), settings.timezone, html=False
            )
        finally:
            await db.close()

    print(asyncio.run(go()))
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
