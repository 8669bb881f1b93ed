"""The delivery engine's direct write path (see `Database.write_hot`): a second, plain sqlite3
connection used on the event loop's thread, which never waits for a lock and never
checkpoints; the WAL is checkpointed in the background through the main connection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 200  # direct commits between background WAL checkpoints
_DIRECT_PRAGMAS = (
    "PRAGMA busy_timeout = 0",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA wal_autocheckpoint = 0",
)


class DirectWriter:
    """The second connection; `write` says whether it took the write or it must go through the
    database thread (another process writes, or the connection could not be opened)."""

    def __init__(self, path: str, checkpoint: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self.path = path
        self._checkpoint_wal = checkpoint
        self._conn: sqlite3.Connection | None = None
        self._tried = False
        self._commits = 0
        self._checkpoint: asyncio.Task[None] | None = None

    def write(self, sql: str, rows: Sequence[Sequence[Any]]) -> bool:
        """Run one statement for each row and commit; False if the write must go through the
        thread. The caller holds the database's write lock."""
        hot = self._connection()
        if hot is None:
            return False
        try:
            hot.execute("BEGIN IMMEDIATE")  # fails at once while someone else writes
            hot.executemany(sql, rows)
            hot.execute("COMMIT")
        except sqlite3.Error as exc:
            if hot.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    hot.execute("ROLLBACK")
            log.debug("direct write fell back to the database thread: %s", exc)
            return False
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY and (
            self._checkpoint is None or self._checkpoint.done()
        ):
            self._commits = 0
            self._checkpoint = asyncio.create_task(self._checkpoint_wal())
        return True

    def _connection(self) -> sqlite3.Connection | None:
        if self._conn is None and not self._tried and self.path != ":memory:":
            self._tried = True  # one attempt: a failure is logged once, not per write
            direct = None
            try:
                direct = sqlite3.connect(self.path, isolation_level=None)
                for pragma in _DIRECT_PRAGMAS:
                    direct.execute(pragma)
            except sqlite3.Error as exc:
                log.warning("no direct database connection (%s); using the thread", exc)
                if direct is not None:
                    direct.close()
                return None
            self._conn = direct
        return self._conn

    async def close(self) -> None:
        """Wait for a background checkpoint, then close the connection."""
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
        if self._conn is not None:
            self._conn.close()
            self._conn = None
