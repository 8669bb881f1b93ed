"""The window of sends in flight: how many there may be, and the tasks sending them.

Telegram answers a send a network round trip later, so holding a rate takes rate x round
trip sends in flight (Little's law), with headroom for jitter and for the engine's own work
around each send; both are measured as the broadcast runs. The upper bound also bounds how
many rows a crash can leave ambiguous (docs/DELIVERY.md).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Coroutine
from typing import Any

from bot.services.delivery.pacing import RoundTripMeter, window_size

log = logging.getLogger(__name__)

# The window's size is announced (logged) in steps of this many sends, before any row beyond
# the last announcement is claimed: the log then bounds the rows a crash can leave ambiguous,
# with a line per step rather than one per send.
ANNOUNCE_STEP = 16


class SendWindow:
    """Sizes the window from the rate and the measured times, and runs the sends in it."""

    def __init__(self, rate: float, round_trips: RoundTripMeter, low: int, high: int) -> None:
        self.rate = rate
        self.round_trips = round_trips  # Telegram's answer time, measured by the limiter
        # The engine's work around each send (composing, recording) holds a place too.
        self.overhead = RoundTripMeter(initial=0.002)
        self.low, self.high = low, high
        self._tasks: set[asyncio.Task[None]] = set()
        self._freed = asyncio.Event()
        self.peak = 0
        self.announced = 0  # sends in flight the log has said there may be, at most

    def size(self) -> int:
        """Sends to keep in flight now."""
        busy = self.round_trips.estimate + self.overhead.estimate
        return window_size(self.rate, busy, self.low, self.high)

    def __len__(self) -> int:
        return len(self._tasks)

    async def room(self) -> int:
        """Wait until the window has room; return how many sends may start."""
        while len(self._tasks) >= self.size():
            self._freed.clear()
            await self._freed.wait()
        size = self.size()
        if size > self.announced:
            self._announce(size)
        return size - len(self._tasks)

    def _announce(self, size: int) -> None:
        # size <= high, so the announcement never falls below the window it covers.
        self.announced = min(self.high, math.ceil(size / ANNOUNCE_STEP) * ANNOUNCE_STEP)
        busy = self.round_trips.estimate + self.overhead.estimate
        log.info(
            "Up to %d deliveries in flight at once (%.0f ms a send): a crash would leave at"
            " most that many ambiguous",
            self.announced,
            busy * 1000,
        )

    def start(self, send: Coroutine[Any, Any, None], name: str) -> None:
        """Run one send in the window."""
        task = asyncio.create_task(send, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        self.peak = max(self.peak, len(self._tasks))

    async def drain(self, grace: float) -> None:
        """Let the sends in flight finish for up to `grace` seconds; cancel the rest."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._freed.set()
