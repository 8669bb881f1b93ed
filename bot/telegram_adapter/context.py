"""The typed context every handler and job receives, as in PTB's `contexttypesbot.py` example.

`build_app` passes `CONTEXT_TYPES` to the ApplicationBuilder, so PTB makes a `BotContext` for
every update and job, and a `BotData` as the application's `bot_data`. Handlers write
`context.services.comments` instead of casting `bot_data["services"]`.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.container import Services, Storage


class BotData:
    """What the application shares with its handlers and jobs (PTB's `bot_data`), typed.

    PTB makes it without arguments; `build_app` sets the services and the storage before the
    bot starts. `storage` is there for start-up and for tests that read what a user cannot
    see; handlers and jobs go through `services` (tests/test_layering.py checks)."""

    def __init__(self) -> None:
        self._services: Services | None = None
        self._storage: Storage | None = None
        # update_id -> time.monotonic() when handling began, for the latency log line.
        self.update_started: dict[int, float] = {}

    def attach(self, services: Services, storage: Storage) -> None:
        """Set what build_app built (once, before the bot starts)."""
        self._services, self._storage = services, storage

    @property
    def services(self) -> Services:
        """The application's services."""
        if self._services is None:
            raise RuntimeError("build_app attaches the services before the bot starts")
        return self._services

    @property
    def storage(self) -> Storage:
        """The database and repositories (start-up, shutdown and tests only)."""
        if self._storage is None:
            raise RuntimeError("build_app attaches the storage before the bot starts")
        return self._storage


# ExtBot's parameter is what our rate limiter takes as rate_limit_args (see rate_limiter.py).
class BotContext(CallbackContext[ExtBot[dict[str, Any]], dict[Any, Any], dict[Any, Any], BotData]):
    """The `context` of every handler, error handler and job."""

    @property
    def services(self) -> Services:
        """The application's services."""
        return self.bot_data.services


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)

# The Application as build_app makes it: our context and bot_data, PTB's defaults otherwise.
# (ApplicationBuilder.context_types does not retype the JobQueue, hence Any there.)
BotApplication = Application[
    ExtBot[dict[str, Any]], BotContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]
]
