"""The rate limiter PTB sends through: every message-sending call takes a slot from our Pacer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
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


class PacedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """PTB rate limiter over our Pacer: waits out 429s for everyone, then retries."""

    def __init__(self, pacer: Pacer, max_retries: int = 3) -> None:
        self.pacer = pacer
        self.max_retries = max_retries

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
        attempt = 0
        while True:
            await self.pacer.acquire(interactive=interactive)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = retry_seconds(exc)
                log.warning("429 from Telegram on %s: every sender waits %.1f s", endpoint, wait)
                self.pacer.pause(wait)
                attempt += 1
                if attempt > self.max_retries:
                    raise
