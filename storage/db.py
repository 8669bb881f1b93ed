"""One long-lived aiosqlite connection, forward-only migrations and a transaction helper."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.direct import DirectWriter

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
BUSY_TIMEOUT_MS = 5000


T = TypeVar("T")
IN_CHUNK = 500  # bound parameters per IN (...) list, well under SQLite's limit


def in_chunks(items: Sequence[T]) -> list[list[T]]:
    """Split values for `IN (...)` lists into chunks SQLite accepts."""
    return [list(items[i : i + IN_CHUNK]) for i in range(0, len(items), IN_CHUNK)]


def marks(chunk: Sequence[object]) -> str:
    """The `?, ?, ...` placeholders for one chunk."""
    return ",".join("?" * len(chunk))


class StorageError(Exception):
    """The database cannot be opened or migrated; the message says why."""


@dataclass(frozen=True)
class Migration:
    """A numbered SQL script from storage/migrations."""

    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """Return the packaged migrations in version order, checking no number is used twice.

    Numbers may have gaps: parallel branches are given numbers in advance and may land in
    any order, so a database records each migration it applied (schema_migrations)."""
    found: list[Migration] = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for before, migration in itertools.pairwise(found):
        if before.version == migration.version:
            raise StorageError(f"two migrations are numbered {migration.version:04d}")
    return found


class Database:
    """The application's single SQLite connection.

    Writes take turns through one lock: `transaction()` for several statements, `execute()`
    for one, `executemany()` for one statement over many rows (`write_hot()` is the delivery
    engine's direct path, see its docstring). Reads do not wait for the lock, so they may see
    another coroutine's transaction before it commits (acceptable here: nothing reads to
    decide a write without re-checking it in the write's own WHERE clause)."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        # One connection is shared by every coroutine: writers take turns so that one
        # coroutine's statements never land inside another's open transaction.
        self._write_lock = asyncio.Lock()
        self._direct = DirectWriter(path, self._checkpoint_wal)  # see write_hot

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> Database:
        """Open (creating if needed) the database with WAL, foreign keys and a busy timeout."""
        target = str(path)
        if target != ":memory:":
            parent = Path(target).expanduser().absolute().parent  # noqa: ASYNC240 - no I/O
            if not await asyncio.to_thread(parent.is_dir):
                raise StorageError(f"DATABASE_PATH folder does not exist: {parent}")
        try:
            conn = await aiosqlite.connect(target, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"DATABASE_PATH cannot be opened ({target}): {exc}") from None
        db = cls(conn, target)
        try:
            await db._configure()
            if migrate:
                await db.migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def _configure(self) -> None:
        self.conn.row_factory = aiosqlite.Row
        try:
            await self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await self.conn.execute("PRAGMA journal_mode = WAL")
            await self.conn.execute("PRAGMA synchronous = NORMAL")
            await self.conn.execute("PRAGMA foreign_keys = ON")
            # A write probe: an unwritable file or folder fails here, at start-up.
            await self.conn.execute("CREATE TABLE IF NOT EXISTS _probe (x INTEGER)")
            await self.conn.execute("DROP TABLE _probe")
        except sqlite3.Error as exc:
            raise StorageError(f"DATABASE_PATH is not writable ({self.path}): {exc}") from None

    async def close(self) -> None:
        """Close the connections."""
        await self._direct.close()
        await self.conn.close()

    async def schema_version(self) -> int:
        """The number of the last applied migration."""
        async with self.conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def require_current(self) -> None:
        """Fail clearly when the database needs `newsbot migrate` (read-only commands)."""
        applied = await self.applied_versions()
        missing = [m.version for m in load_migrations() if m.version not in applied]
        if missing:
            raise StorageError(
                f"database {self.path} lacks migration {missing[0]:04d}:"
                " run `newsbot migrate` (or start the bot) first"
            )

    async def applied_versions(self) -> set[int]:
        """The migrations this database recorded as applied."""
        found = await self.fetchone(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        )
        if found is None:
            return set()
        rows = await self.fetchall("SELECT version FROM schema_migrations")
        return {int(r["version"]) for r in rows}

    async def migrate(self, migrations: list[Migration] | None = None) -> list[int]:
        """Apply pending migrations, each in its own transaction; return the versions applied."""
        todo = load_migrations() if migrations is None else migrations
        current = await self.schema_version()
        if todo and current > todo[-1].version:
            raise StorageError(
                f"database is at schema {current}, newer than this code ({todo[-1].version})"
            )
        done = await self.applied_versions()
        applied: list[int] = []
        for migration in todo:
            # A version below user_version may still be missing: it landed after a higher one.
            if migration.version in done:
                continue
            await self._apply(migration)
            applied.append(migration.version)
            log.info("applied migration %04d_%s", migration.version, migration.name)
        return applied

    async def _apply(self, migration: Migration) -> None:
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{migration.sql}\n;\n"
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);\n"
            f"INSERT INTO schema_migrations VALUES ({migration.version}, "
            f"'{migration.name}', {int(time.time())});\n"
            f"PRAGMA user_version = {max(migration.version, await self.schema_version())};\n"
            "COMMIT;"
        )
        try:
            await self.conn.executescript(script)
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                await self.conn.execute("ROLLBACK")
            raise StorageError(
                f"migration {migration.version:04d}_{migration.name} failed: {exc}"
            ) from None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run several statements atomically (BEGIN IMMEDIATE ... COMMIT, rollback on error)."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                await self.conn.execute("COMMIT")
            except BaseException:
                # Also when COMMIT itself fails: never leave the shared connection inside an
                # open transaction for the next writer.
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> tuple[int, int | None]:
        """Run one write statement on its own; return (rowcount, lastrowid)."""
        async with self._write_lock, self.conn.execute(sql, params) as cur:
            return cur.rowcount, cur.lastrowid

    async def write_returning(self, sql: str, params: Sequence[Any]) -> list[aiosqlite.Row]:
        """Run one write statement with a RETURNING clause (its own commit); return its rows."""
        async with self._write_lock:
            return list(await self.conn.execute_fetchall(sql, params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one write statement for many rows in a single transaction."""
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        """Run a query and return every row (one round trip to the database thread)."""
        return list(await self.conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        """Run a query and return its first row, if any."""
        rows = await self.conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def write_hot(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one small write statement for each row and commit them together (the delivery
        engine's record of each message it sent).

        The write runs right here on the event loop's thread, through a second connection:
        a short indexed write costs about 50 µs, while the round trip to the database thread
        costs more than that in wake-ups and is paid for every message sent. That connection
        never waits and never checkpoints (a checkpoint may fsync): if another process holds
        the write lock, or anything else fails, the write takes the usual path through the
        database thread, and the WAL is checkpointed there, in the background."""
        async with self._write_lock:
            if self._direct.write(sql, rows):
                return
            await self.conn.executemany(sql, rows)

    async def _checkpoint_wal(self) -> None:
        try:
            # Most of the work while the engine keeps writing; then the few frames written
            # meanwhile, with writers held off. Only a complete checkpoint lets the next write
            # start the log from the beginning: under writes that never pause, the log would
            # otherwise grow without end.
            await self.conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
            async with self._write_lock:
                await self.conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.warning("WAL checkpoint failed: %s", exc)

    async def backup(self, target: str | Path) -> None:
        """Write a consistent copy of the live database with SQLite's online backup."""
        dest = await aiosqlite.connect(str(target))
        try:
            await self.conn.backup(dest)
        finally:
            await dest.close()


async def backup_file(source: str | Path, target: str | Path) -> None:
    """Copy a live database file consistently (SQLite online backup) over a connection of its
    own, so the copy never holds up the running bot's connection; never migrates."""
    db = await Database.open(source, migrate=False)
    try:
        await db.backup(target)
    finally:
        await db.close()
