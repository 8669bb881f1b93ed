"""Shared fixtures: a strict fake Bot API on 127.0.0.1 and the real bot running against it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import RunOptions, serve
from bot.clock import FakeClock
from bot.config import Settings, from_env
from bot.container import Services, Storage
from bot.services.delivery.engine import EngineOptions
from bot.telegram_adapter.context import BotApplication
from storage.db import Database
from tests.fakes.botapi import FakeBotAPI

ADMIN_ID = 1000
READER_ID = 2001


@asynccontextmanager
async def running_fake(**options: Any) -> AsyncIterator[FakeBotAPI]:
    """A fresh fake Bot API server (FakeBotAPI options) with one admin and one reader."""
    api = FakeBotAPI(**options)
    await api.start()
    api.add_user(ADMIN_ID, "Ada")
    api.add_user(READER_ID, "Rita")
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API every bot test talks to."""
    async with running_fake() as api:
        yield api


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database in a real SQLite file."""
    database = await Database.open(tmp_path / "test.db")
    try:
        yield database
    finally:
        await database.close()


@dataclass
class RunningBot:
    """The bot running as `newsbot run` does, plus handles for the test."""

    settings: Settings
    app: BotApplication
    clock: FakeClock
    stop_event: asyncio.Event
    task: asyncio.Task[None]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        """The running bot's services."""
        return self.app.bot_data.services

    @property
    def storage(self) -> Storage:
        """The running bot's repositories (for reading state the user cannot see)."""
        return self.app.bot_data.storage

    async def stop(self) -> None:
        """Stop like SIGTERM does."""
        self.stop_event.set()
        await asyncio.wait_for(self.task, 15)


BotFactory = Callable[..., Awaitable[RunningBot]]


def make_settings(fake: FakeBotAPI, db_path: Path, **env: str) -> Settings:
    """Settings pointing at the fake Bot API."""
    base = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.base_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "DATABASE_PATH": str(db_path),
        "TIMEZONE": "UTC",
        "ALLOW_PRIVATE_URLS": "true",
        "BROADCAST_RATE": "1000",
        "PAID_BROADCAST": "true",
    }
    base.update(env)
    return from_env(base)


@pytest.fixture
async def start_bot(fake: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotFactory]:
    """Start the real bot (serve(), as `newsbot run`) against the fake; stopped at the end."""
    running: list[RunningBot] = []

    async def start(
        *, clock: FakeClock | None = None, engine: EngineOptions | None = None, **env: str
    ) -> RunningBot:
        settings = make_settings(fake, tmp_path / "bot.db", **env)
        fake_clock = clock or FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
        options = RunOptions(
            clock=fake_clock,
            engine=engine or EngineOptions(poll_interval=0.05),
            poll_timeout=1,
            job_interval_scale=0.1,
        )
        ready: asyncio.Future[BotApplication] = asyncio.get_running_loop().create_future()
        stop = asyncio.Event()
        task = asyncio.create_task(serve(settings, stop, options, on_ready=ready.set_result))
        done, _ = await asyncio.wait(
            {task, ready}, timeout=15, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            stop.set()
            if task.done():
                task.result()  # raises the start-up error
            raise AssertionError("bot did not start within 15 s")
        bot = RunningBot(settings, ready.result(), fake_clock, stop, task)
        running.append(bot)
        return bot

    try:
        yield start
    finally:
        for bot in running:
            if not bot.task.done():
                await bot.stop()
