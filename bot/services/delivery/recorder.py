"""Group commit of sent deliveries.

Every accepted message is recorded before its sender's place in the window is given to the
next row, so the rows a crash can leave ambiguous never outnumber the window. Senders that
finish while a write is under way share the next one: the first to arrive writes for everyone
waiting (leader-based group commit). The write goes through the database thread (one
statement for the whole group), so the event loop never waits on the disk; `direct` uses
`Database.write_hot` instead, kept for measuring the two. A failed write is retried (never
the send): a row left claimed after Telegram accepted it would be sent again.
"""

from __future__ import annotations

import asyncio
import logging

from bot.clock import Clock
from storage.outbox import OutboxRepository

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = 5.0


class SentRecorder:
    """Records (delivery id, message id) pairs in groups; `record` returns once committed."""

    def __init__(self, outbox: OutboxRepository, clock: Clock, *, direct: bool = False) -> None:
        self.outbox = outbox
        self.clock = clock
        self.direct = direct
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._writing = False
        self.writes = 0

    async def record(self, delivery_id: int, message_id: int) -> None:
        """Record one accepted message; return when it is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((delivery_id, message_id, future))
        if not self._writing:
            self._writing = True
            try:
                await self._flush()
            finally:
                self._writing = False
        await future

    async def stop(self) -> None:
        """Write whatever is still waiting (a cancelled sender's record is not dropped)."""
        if not self._writing:
            await self._flush()

    async def _flush(self) -> None:
        delay = 0.1
        while self._waiting:
            group, self._waiting = self._waiting, []
            try:
                await self.outbox.mark_sent_many(
                    [(d, m) for d, m, _ in group], self.clock.now(), direct=self.direct
                )
            except Exception:
                log.exception("recording %d sent deliveries failed; retrying", len(group))
                self._waiting = group + self._waiting
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY)
                continue
            self.writes += 1
            for _, _, future in group:
                if not future.done():
                    future.set_result(None)
