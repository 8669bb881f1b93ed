"""Comment prompts between being sent and being recorded.

The prompt's message id exists only once Telegram has accepted it, so the record follows
the send; a quick reply (or a busy database) can arrive in between and must wait for the
record instead of being told that the prompt is not an article.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator

PROMPT_WAIT = 10.0  # seconds a reply waits for a prompt being recorded (bounded by the send)


class PromptsInFlight:
    """Chats where a Comment prompt was sent but is not yet recorded in SQLite."""

    def __init__(self, wait: float = PROMPT_WAIT) -> None:
        self.wait = wait
        self._sending: Counter[int] = Counter()
        self._changed = asyncio.Condition()

    def busy(self, chat_id: int) -> bool:
        """Whether a prompt in this chat is between being sent and being recorded."""
        return self._sending[chat_id] > 0

    @contextlib.asynccontextmanager
    async def sending(self, chat_id: int) -> AsyncIterator[None]:
        """Wrap sending and recording one prompt."""
        self._sending[chat_id] += 1
        try:
            yield
        finally:
            self._sending[chat_id] -= 1
            if self._sending[chat_id] <= 0:
                del self._sending[chat_id]
            async with self._changed:
                self._changed.notify_all()

    async def settled(self, chat_id: int) -> None:
        """Wait (at most `wait` seconds) until no prompt in this chat is in flight."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: not self.busy(chat_id)), self.wait
                )
