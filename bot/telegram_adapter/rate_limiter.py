"""The rate limiter PTB sends through: every message-sending call takes a slot from our Pacer."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.services.delivery.pacing import Pacer
from bot.telegram_adapter.errors import retry_seconds

log = logging.getLogger(__name__)

# Endpoints that put a message in a chat count against Telegram's message budget.
PACED_ENDPOINTS = frozenset(  # lower case: Bot API method names are case-insensitive
    {
        "sendmessage",
        "editmessagetext",
        "editmessagereplymarkup",
        "senddocument",
        "sendphoto",
        "copymessage",
        "forwardmessage",
        "editmessagecaption",
        "deletemessage",
    }
)


@dataclass(frozen=True)
class Release:
    """One paced request let go: the moment the rate and the per-chat spacing count it at."""

    endpoint: str
    chat_id: int | None
    interactive: bool
    asked: float  # time.monotonic() when it asked for a slot
    at: float  # and when it got it (its pacer slot)


class PacedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """PTB rate limiter over our Pacer: paces sends, measures Telegram's round trip, and waits
    out a 429 where it applies (one chat, or every sender), then retries."""

    def __init__(self, pacer: Pacer, max_retries: int = 3) -> None:
        self.pacer = pacer
        self.max_retries = max_retries
        # Every release, when a test or benchmark sets a list here: the rate cap and the
        # spacing per chat are checked where the bot holds them, not at the receiver, whose
        # clock a busy machine skews (the fake Bot API shares the test's event loop).
        self.trace: list[Release] | None = None

    async def initialize(self) -> None:
        """Start handing out slots."""
        self.pacer.start()

    async def shutdown(self) -> None:
        """Stop handing out slots."""
        await self.pacer.stop()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Pace message-sending calls; pass everything else straight through."""
        if endpoint.lower() not in PACED_ENDPOINTS:
            return await callback(*args, **kwargs)
        interactive = not (rate_limit_args or {}).get("broadcast", False)
        chat_id = _chat_of(data)
        attempt = 0
        while True:
            asked = time.monotonic()
            crowded, at = await self._slot(chat_id, interactive)
            if self.trace is not None:
                self.trace.append(Release(endpoint.lower(), chat_id, interactive, asked, at))
            started = time.monotonic()
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.pacer.round_trips.observe(time.monotonic() - started)
                wait = retry_seconds(exc)
                self._flood(endpoint, chat_id, wait, crowded)
                if crowded:  # only this chat is limited: only this request waits
                    await asyncio.sleep(wait)
                attempt += 1
                if attempt > self.max_retries:
                    raise
                continue
            self.pacer.round_trips.observe(time.monotonic() - started)
            return result

    async def _slot(self, chat_id: int | None, interactive: bool) -> tuple[bool, float]:
        """Wait for a send slot; return whether the chat had a message within the last second,
        and the slot's moment.

        Background messages (broadcasts, progress reports) never crowd a chat: they take turns
        per chat, a second apart. A person's short burst of replies is fine, as on Telegram."""
        recent = self.pacer.recent
        if chat_id is None:
            return False, await self.pacer.acquire(interactive=interactive)
        if interactive:
            at = await self.pacer.acquire(interactive=True)
        else:
            async with recent.turn(chat_id):
                at = await self.pacer.acquire(interactive=False)
                crowded = recent.crowded(chat_id)
                recent.sent(chat_id)
                return crowded, at
        crowded = recent.crowded(chat_id)
        recent.sent(chat_id)
        return crowded, at

    def _flood(self, endpoint: str, chat_id: int | None, wait: float, crowded: bool) -> None:
        """Telegram said 429: a chat's own limit if it had a message within the last second,
        else the global budget, which holds every sender."""
        if crowded:
            self.pacer.stats.chat_flood_waits += 1
            log.warning("429 for chat %s on %s: that chat waits %.1f s", chat_id, endpoint, wait)
            return
        log.warning("429 from Telegram on %s: every sender waits %.1f s", endpoint, wait)
        self.pacer.pause(wait)


def _chat_of(data: dict[str, Any]) -> int | None:
    """The numeric chat a request goes to, if it names one."""
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None
