"""Daily backups while the bot runs: on time after a restart, never twice, rotated, reported."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.services.operations.backups import backup_name, parse_name
from tests.conftest import ADMIN_ID, READER_ID, BotFactory
from tests.fakes.botapi import FakeBotAPI
from tests.helpers import subscribe

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def backups(folder: Path) -> list[str]:
    """Backup file names in the folder, oldest first."""
    return sorted(p.name for p in folder.iterdir() if parse_name(p.name) is not None)


def subscribers_in(copy: Path) -> list[int]:
    """The chat ids stored in a backup file (it must be a whole, readable database)."""
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [row[0] for row in conn.execute("SELECT chat_id FROM subscribers")]
    finally:
        conn.close()


async def test_daily_backup_survives_restarts_without_skipping_or_doubling(
    fake: FakeBotAPI, start_bot: BotFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "backups" / "newsbot"  # does not exist yet: created at start-up
    env = {"BACKUP_DIR": str(folder), "BACKUP_KEEP": "2"}
    clock = FakeClock(START)
    bot = await start_bot(clock=clock, **env)
    await subscribe(fake, READER_ID)
    await fake.wait_until(lambda: folder.is_dir() and bool(backups(folder)), 10, "first backup")
    assert backups(folder) == [backup_name(START)]
    await bot.stop()

    # Restarted two hours later: the newest backup on disk is recent, so none is made.
    clock.advance(timedelta(hours=2))
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="bot.services.operations.backups"):
        bot = await start_bot(clock=clock, **env)
        await fake.wait_until(
            lambda: any("no backup due" in r.getMessage() for r in caplog.records), 10, "a check"
        )
    assert backups(folder) == [backup_name(START)]
    await bot.stop()

    # Restarted after a day: the overdue backup is made soon after start-up, not skipped.
    clock.advance(timedelta(hours=23))
    (folder / (backup_name(clock.now()) + ".partial")).write_bytes(b"half a copy")
    bot = await start_bot(clock=clock, **env)
    second = backup_name(clock.now())
    await fake.wait_until(lambda: second in backups(folder), 10, "second backup")
    assert READER_ID in subscribers_in(folder / second)
    assert not any(p.name.endswith(".partial") for p in folder.iterdir())

    # A day later while running: a third, and only the newest BACKUP_KEEP=2 are kept.
    clock.advance(timedelta(days=1, minutes=1))
    third = backup_name(clock.now())
    await fake.wait_until(lambda: third in backups(folder), 10, "third backup")
    assert backups(folder) == [second, third]
    fake.assert_no_errors()


async def test_a_failing_backup_is_reported_to_the_admins(
    fake: FakeBotAPI, start_bot: BotFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    clock = FakeClock(START)
    await start_bot(clock=clock, BACKUP_DIR=str(folder))
    await fake.wait_until(lambda: bool(backups(folder)), 10, "first backup")
    # The folder disappears (a full or unmounted disk looks the same): a file stands there now.
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.write_text("not a folder")
    clock.advance(timedelta(days=1))
    report = await fake.wait_for_message(
        ADMIN_ID, predicate=lambda m: "backup" in m.text, timeout=10
    )
    assert "failed" in report.text and str(folder) in report.text
    folder.unlink()
    folder.mkdir()
    works = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "work again" in m.text)
    assert backups(folder) and backups(folder)[0] in works.text
    fake.assert_no_errors()
