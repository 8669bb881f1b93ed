"""Pacing of outgoing messages: one global budget shared by broadcasts and replies to people.

Telegram allows about 30 messages per second overall (up to 1000 with paid broadcasts) and
about one per second per chat. A single dispatcher hands out send slots at the configured
rate; people waiting for an answer are served before the broadcast, so the broadcast slows
down to make room instead of replies queueing behind thousands of articles.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

# Telegram counts in sliding one-second windows, and send times jitter on a busy machine:
# besides even spacing, no `rate` sends may fall within WINDOW seconds.
WINDOW = 1.02
PRIVATE_CHAT_INTERVAL = 1.0
GROUP_CHAT_INTERVAL = 3.0  # 20 messages a minute in groups
# Background messages to one chat: a second apart, plus a margin for the network's jitter
# (Telegram counts when a message arrives, not when it was sent).
CHAT_SPACING = 1.05


@dataclass
class PacerStats:
    """Counters for logs and benchmarks."""

    interactive: int = 0
    broadcast: int = 0
    flood_waits: int = 0  # global 429s: every sender paused
    chat_flood_waits: int = 0  # one chat's 429s: only that chat waited


class Pacer:
    """Hands out send slots at a fixed rate; interactive requests jump the broadcast queue."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self._clock = clock
        self._next_slot = 0.0
        # The last `rate` slots' send times, each a one-item list the sender stamps again when
        # it actually resumes: on a busy machine that can be well after the grant, and
        # Telegram counts when messages arrive.
        self._recent: deque[list[float]] = deque(maxlen=max(1, int(rate)))
        self._high: deque[asyncio.Future[list[float]]] = deque()
        self._low: deque[asyncio.Future[list[float]]] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.stats = PacerStats()
        self.round_trips = RoundTripMeter()  # fed by whoever makes the requests
        self.recent = RecentChats(clock=clock)

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

    async def acquire(self, *, interactive: bool) -> float:
        """Wait for a send slot; return its moment, the one the rate is counted at."""
        if self._task is None:
            self.start()
        slot = None if self._high or self._low else self._try_take()
        if slot is None:
            fut: asyncio.Future[list[float]] = asyncio.get_running_loop().create_future()
            (self._high if interactive else self._low).append(fut)
            self._wakeup.set()
            slot = await fut
            slot[0] = max(slot[0], self._clock())
        if interactive:
            self.stats.interactive += 1
        else:
            self.stats.broadcast += 1
        return slot[0]

    def pause(self, seconds: float) -> None:
        """Hold every sender for `seconds` (Telegram answered 429 with retry_after)."""
        self.stats.flood_waits += 1
        self._next_slot = max(self._next_slot, self._clock() + seconds)

    def _wait_needed(self) -> float:
        """Seconds until the next slot is free (<= 0: free now)."""
        now = self._clock()
        delay = self._next_slot - now
        if len(self._recent) == self._recent.maxlen:
            delay = max(delay, self._recent[0][0] + WINDOW - now)
        return delay

    def _take(self) -> list[float]:
        now = self._clock()
        slot = [now]
        self._recent.append(slot)
        # Slots follow a fixed timeline (no drift), but never bunch up after a stall.
        self._next_slot = max(self._next_slot + self.interval, now + self.interval * 0.5)
        return slot

    def _try_take(self) -> list[float] | None:
        """Take a free slot at once when nobody is queued (no trip through the dispatcher)."""
        if self._wait_needed() > 0:
            return None
        return self._take()

    def _pop(self) -> asyncio.Future[list[float]] | None:
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
            fut.set_result(self._take())


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


class RoundTripMeter:
    """A running estimate of Telegram's answer time, from the sends themselves.

    An exponentially weighted mean plus twice the mean deviation: the window of sends in
    flight is sized from it, so jitter must not leave the pacer without a sender waiting."""

    def __init__(self, initial: float = 0.05, weight: float = 0.1) -> None:
        self._mean = initial
        self._deviation = initial / 2
        self._weight = weight
        self.samples = 0

    def observe(self, seconds: float) -> None:
        """Record one request's round trip."""
        self.samples += 1
        error = seconds - self._mean
        self._mean += self._weight * error
        self._deviation += self._weight * (abs(error) - self._deviation)

    @property
    def estimate(self) -> float:
        """A high estimate of the round trip, in seconds."""
        return self._mean + 2 * self._deviation


# Senders in flight = rate x round trip x HEADROOM + SPARE: the headroom covers jitter and the
# work around each send (composing, recording), the spare keeps a sender waiting at the pacer.
HEADROOM = 1.5
SPARE = 2


def window_size(rate: float, round_trip: float, low: int, high: int) -> int:
    """How many sends to keep in flight to hold `rate` at this round trip, within bounds."""
    wanted = math.ceil(rate * max(round_trip, 0.0) * HEADROOM) + SPARE
    return max(low, min(high, wanted))


class RecentChats:
    """When each chat last got a message from us; background messages take turns per chat.

    Telegram answers 429 both for the global budget and for one chat sent to too often; a 429
    for a chat that had a message within the last second is that chat's own limit, so only
    that chat waits, not every sender. Background messages (broadcasts, progress reports) to
    one chat go one at a time, each at least CHAT_SPACING after the chat's last message."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: dict[int, float] = {}
        self._turns: dict[int, tuple[asyncio.Lock, int]] = {}  # chat -> (lock, users)

    def sent(self, chat_id: int) -> None:
        """A message to this chat is going out now."""
        now = self._clock()
        self._last[chat_id] = now
        if len(self._last) > 4096:  # forget chats quiet for a while: memory stays flat
            self._last = {c: t for c, t in self._last.items() if now - t < CHAT_SPACING}

    def crowded(self, chat_id: int) -> bool:
        """Whether this chat had a message within the last second."""
        last = self._last.get(chat_id)
        return last is not None and self._clock() - last < PRIVATE_CHAT_INTERVAL

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        """A background message's turn in its chat: entered once the chat's last message is
        CHAT_SPACING old; leave it once the message is on its way (see `sent`)."""
        lock, users = self._turns.get(chat_id, (asyncio.Lock(), 0))
        self._turns[chat_id] = (lock, users + 1)
        try:
            async with lock:
                last = self._last.get(chat_id)
                if last is not None and (wait := last + CHAT_SPACING - self._clock()) > 0:
                    await asyncio.sleep(wait)
                yield
        finally:
            lock, users = self._turns[chat_id]
            if users <= 1:
                del self._turns[chat_id]
            else:
                self._turns[chat_id] = (lock, users - 1)
