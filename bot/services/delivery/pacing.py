"""Pacing of outgoing messages: one global budget shared by broadcasts and replies to people.

Telegram allows about 30 messages per second overall (up to 1000 with paid broadcasts) and
about one per second per chat. A single dispatcher hands out send slots at the configured
rate; people waiting for an answer are served before the broadcast, so the broadcast slows
down to make room instead of replies queueing behind thousands of articles.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# Telegram counts in sliding one-second windows, and send times jitter on a busy machine:
# besides even spacing, no `rate` sends may fall within WINDOW seconds.
WINDOW = 1.02
PRIVATE_CHAT_INTERVAL = 1.0
GROUP_CHAT_INTERVAL = 3.0  # 20 messages a minute in groups


@dataclass
class PacerStats:
    """Counters for logs and benchmarks."""

    interactive: int = 0
    broadcast: int = 0
    flood_waits: int = 0


class Pacer:
    """Hands out send slots at a fixed rate; interactive requests jump the broadcast queue."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self._clock = clock
        self._next_slot = 0.0
        self._recent: deque[float] = deque(maxlen=max(1, int(rate)))
        self._high: deque[asyncio.Future[None]] = deque()
        self._low: deque[asyncio.Future[None]] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.stats = PacerStats()

    def start(self) -> None:
        """Start the dispatcher (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._dispatch(), name="pacer")

    async def stop(self) -> None:
        """Stop the dispatcher; waiters are released so nothing hangs at shutdown."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for queue in (self._high, self._low):
            while queue:
                fut = queue.popleft()
                if not fut.done():
                    fut.cancel()

    async def acquire(self, *, interactive: bool) -> None:
        """Wait for a send slot."""
        if self._task is None:
            self.start()
        if self._high or self._low or not self._try_take():
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            (self._high if interactive else self._low).append(fut)
            self._wakeup.set()
            await fut
        if interactive:
            self.stats.interactive += 1
        else:
            self.stats.broadcast += 1

    def pause(self, seconds: float) -> None:
        """Hold every sender for `seconds` (Telegram answered 429 with retry_after)."""
        self.stats.flood_waits += 1
        self._next_slot = max(self._next_slot, self._clock() + seconds)

    def _wait_needed(self) -> float:
        """Seconds until the next slot is free (<= 0: free now)."""
        now = self._clock()
        delay = self._next_slot - now
        if len(self._recent) == self._recent.maxlen:
            delay = max(delay, self._recent[0] + WINDOW - now)
        return delay

    def _take(self) -> None:
        now = self._clock()
        self._recent.append(now)
        # Slots follow a fixed timeline (no drift), but never bunch up after a stall.
        self._next_slot = max(self._next_slot + self.interval, now + self.interval * 0.5)

    def _try_take(self) -> bool:
        """Take a free slot at once when nobody is queued (no trip through the dispatcher)."""
        if self._wait_needed() > 0:
            return False
        self._take()
        return True

    def _pop(self) -> asyncio.Future[None] | None:
        for queue in (self._high, self._low):
            while queue:
                fut = queue.popleft()
                if not fut.done():
                    return fut
        return None

    async def _dispatch(self) -> None:
        while True:
            if not self._high and not self._low:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            delay = self._wait_needed()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            fut = self._pop()
            if fut is None:
                continue
            fut.set_result(None)
            self._take()


class ChatGate:
    """Keeps broadcast messages to one chat at least a second apart (three in groups)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._next: dict[int, float] = {}

    def reserve(self, chat_id: int) -> float:
        """Book this chat's next send slot; return the seconds to wait for it.

        Booking (rather than checking, then recording after the send) keeps two senders from
        both seeing a free slot for the same chat."""
        now = self._clock()
        interval = GROUP_CHAT_INTERVAL if chat_id < 0 else PRIVATE_CHAT_INTERVAL
        start = max(now, self._next.get(chat_id, 0.0))
        self._next[chat_id] = start + interval
        if len(self._next) > 50_000:  # forget chats whose wait is over: memory stays flat
            self._next = {c: t for c, t in self._next.items() if t > now}
        return start - now
