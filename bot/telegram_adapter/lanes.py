"""Broadcast lanes: the window of sends in flight spread over several small connection pools.

A broadcast keeps up to a few hundred requests in flight (rate x round trip). httpx keeps
one pool per client, and its pool does work in proportion to its size, and more, on every
request (httpcore 1.0 checks every connection, with a system call each, whenever a request
starts or ends): one pool of 500 connections spent two thirds of the bot's time on that at
1000 msg/s and 150 ms. Lanes of LANE_CONNECTIONS connections each keep that cost flat. Each
lane is a PTB bot with the same token, API URL and rate limiter (so the same Pacer): the
requests, their pacing and their errors are exactly those of the main bot.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import HTTPXRequest

LANE_CONNECTIONS = 32


class BroadcastLanes:
    """Round-robin over small PTB bots for broadcast requests."""

    def __init__(
        self,
        token: str,
        api_url: str,
        rate_limiter: BaseRateLimiter[Any],
        connections: int,
    ) -> None:
        count = max(1, math.ceil(connections / LANE_CONNECTIONS))
        self.bots: list[ExtBot[Any]] = [
            ExtBot(
                token,
                base_url=api_url,
                request=HTTPXRequest(connection_pool_size=LANE_CONNECTIONS),
                rate_limiter=rate_limiter,
            )
            for _ in range(count)
        ]
        self._next: Iterator[ExtBot[Any]] = itertools.cycle(self.bots)

    def next(self) -> ExtBot[Any]:
        """The lane for the next broadcast request."""
        return next(self._next)

    async def close(self) -> None:
        """Close every lane's connections."""
        for bot in self.bots:
            await bot.request.shutdown()
