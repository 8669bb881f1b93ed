"""Daily backups of the live database into BACKUP_DIR, keeping the newest BACKUP_KEEP.

Decisions: when the last backup was made is read from the file names on disk (the JobQueue
forgets everything on restart), so a restart neither skips a day nor makes a second copy; a
file is written under a temporary name and renamed when complete, so a crash mid-copy never
leaves a half file that would count as the day's backup. The copy is SQLite's online backup
over its own connection (as `newsbot backup` does), so readers and the sender carry on.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import Clock
from bot.config import ConfigError
from bot.i18n import N_
from storage.db import backup_file

log = logging.getLogger(__name__)

PREFIX = "newsbot-"
SUFFIX = ".db"
PARTIAL = ".partial"
STAMP = "%Y%m%d-%H%M%S"
EVERY = timedelta(days=1)

# Tells the admins: a msgid (marked with N_) and the values for its placeholders.
Report = Callable[..., Awaitable[None]]


def prepare_dir(directory: Path) -> None:
    """Create BACKUP_DIR if needed and prove it is writable, or raise ConfigError."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".{PREFIX}write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"BACKUP_DIR {directory} is not a writable folder ({reason})") from None


def backup_name(moment: datetime) -> str:
    """The file name of a backup made at `moment` (UTC, sortable)."""
    return f"{PREFIX}{moment.astimezone(UTC).strftime(STAMP)}{SUFFIX}"


def parse_name(name: str) -> datetime | None:
    """When the backup with this file name was made, or None for other files."""
    if not (name.startswith(PREFIX) and name.endswith(SUFFIX)):
        return None
    try:
        return datetime.strptime(name[len(PREFIX) : -len(SUFFIX)], STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def existing(directory: Path) -> list[tuple[datetime, Path]]:
    """The backups in a folder, oldest first."""
    found = []
    for path in directory.iterdir():
        made = parse_name(path.name)
        if made is not None and path.is_file():
            found.append((made, path))
    return sorted(found)


def rotate(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups and any half-written copy; return the deleted."""
    removed = [path for _, path in existing(directory)[:-keep]]
    removed += [p for p in directory.iterdir() if p.name.endswith(SUFFIX + PARTIAL)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


class BackupService:
    """Makes a backup when the newest one on disk is a day old (or there is none)."""

    def __init__(
        self, database_path: str, directory: Path, keep: int, clock: Clock, report: Report
    ) -> None:
        self.database_path = database_path
        self.directory = directory
        self.keep = keep
        self.clock = clock
        self.report = report
        self._failing = False

    async def last_backup(self) -> datetime | None:
        """When the newest backup on disk was made."""
        found = await asyncio.to_thread(existing, self.directory)
        return found[-1][0] if found else None

    async def run_due(self) -> Path | None:
        """Back up if a day has passed since the newest backup; return the new file."""
        now = self.clock.now()
        try:
            last = await self.last_backup()
            if last is not None and now - last < EVERY:
                log.debug("no backup due: the newest is from %s", last.isoformat())
                return None
            made = await self._backup(now)
        except Exception as exc:
            log.exception("backup into %s failed", self.directory)
            if not self._failing:  # tell the admins once, not every half minute
                self._failing = True
                await self.report(
                    N_("⚠️ The daily backup into {folder} failed: {error}"),
                    folder=self.directory,
                    error=exc,
                )
            return None
        if self._failing:
            self._failing = False
            await self.report(N_("✅ Backups work again: {name}"), name=made.name)
        return made

    async def _backup(self, now: datetime) -> Path:
        target = self.directory / backup_name(now)
        partial = target.with_name(target.name + PARTIAL)
        await asyncio.to_thread(partial.unlink, missing_ok=True)
        await backup_file(self.database_path, partial)
        await asyncio.to_thread(os.replace, partial, target)
        removed = await asyncio.to_thread(rotate, self.directory, self.keep)
        log.info("backed up the database to %s (%s old backups removed)", target, len(removed))
        return target
