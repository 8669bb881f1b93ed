"""The window of sends in flight and the round-trip estimate it is sized from."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.services.delivery.pacing import Pacer, RecentChats, RoundTripMeter, window_size
from tests.helpers import busiest_second


@pytest.mark.parametrize(
    ("rate", "round_trip", "expected"),
    [
        (30, 0.0, 2),  # loopback: the floor
        (30, 0.05, 5),  # ceil(30 x 0.05 x 1.5) + 2
        (30, 0.15, 9),  # the 150 ms: 2 senders would manage only 13 msg/s
        (30, 0.3, 16),
        (300, 0.15, 70),
        (1000, 0.15, 227),
        (1000, 0.3, 452),
        (1000, 1.0, 512),  # bounded: a crash never leaves more ambiguous rows than this
        (0.5, 0.15, 3),
    ],
)
def test_window_follows_rate_times_round_trip(
    rate: float, round_trip: float, expected: int
) -> None:
    assert window_size(rate, round_trip, 2, 512) == expected


def test_round_trip_estimate_follows_the_network_and_covers_its_jitter() -> None:
    meter = RoundTripMeter()
    for _ in range(200):
        meter.observe(0.15)
    assert 0.15 <= meter.estimate < 0.16
    for i in range(400):
        meter.observe(0.1 if i % 2 else 0.2)  # 150 ms on average, +-50 ms
    assert 0.2 <= meter.estimate <= 0.26, "jitter must raise the estimate"


def test_a_chat_is_crowded_for_a_second_after_a_message() -> None:
    now = [100.0]
    chats = RecentChats(clock=lambda: now[0])
    assert not chats.crowded(7)
    chats.sent(7)
    now[0] += 0.99
    assert chats.crowded(7)
    assert not chats.crowded(8)
    now[0] += 0.02
    assert not chats.crowded(7)


async def test_no_burst_past_the_rate_after_the_event_loop_stalls() -> None:
    """A stalled event loop (a busy machine) must not be made up for with a burst: Telegram
    would count more than `rate` messages in a second. Checked at the slots' own moments."""
    pacer = Pacer(30)
    moments: list[float] = []

    async def sender(index: int) -> None:
        moments.append(await pacer.acquire(interactive=index % 7 == 0))

    async def stall() -> None:
        for _ in range(3):
            await asyncio.sleep(0.15)
            time.sleep(0.3)  # the whole loop stops, as when the process gets no CPU

    try:
        await asyncio.gather(stall(), *(sender(i) for i in range(48)))
    finally:
        await pacer.stop()
    assert len(moments) == 48
    assert busiest_second(moments) <= 30
