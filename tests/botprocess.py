"""Running `python -m bot run` as a real child process against the fake Bot API, and
preparing its database: shared by the crash, soak, load and durability tests and benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TypeVar

from bot.clock import SystemClock
from bot.config import from_env
from bot.container import Storage, build_services
from bot.services.messaging.notifier import OutgoingMessage, TransientError
from storage.db import Database
from storage.models import NewArticle
from tests.conftest import ADMIN_ID
from tests.fakes.botapi import FakeBotAPI

R = TypeVar("R")

ROOT = Path(__file__).resolve().parent.parent


class NoTelegram:
    """The preparing process only queues deliveries; it never talks to Telegram."""

    async def send(self, message: OutgoingMessage, *, broadcast: bool = False) -> int:
        # Only the admin's confirmation is tried; like a network failure, it is left to the
        # running bot's progress job.
        assert message.chat_id == ADMIN_ID, "nothing but the confirmation is sent here"
        raise TransientError("no Telegram while preparing")

    async def edit(
        self, message: OutgoingMessage, message_id: int, *, broadcast: bool = False
    ) -> None:
        raise AssertionError("nothing is edited while preparing")

    async def delete(self, chat_id: int, message_id: int, *, broadcast: bool = False) -> None:
        raise AssertionError("nothing is deleted while preparing")


async def prepare_outbox(
    path: Path, chats: Iterable[int], title: str, admin: int | None = ADMIN_ID
) -> int:
    """Subscribers and one article queued for them (nothing sent); return the article id."""
    settings = from_env({"DATABASE_PATH": str(path), "ADMIN_IDS": str(ADMIN_ID)})
    db = await Database.open(path)
    try:
        storage = Storage.over(db)
        services = build_services(settings, storage, SystemClock(), NoTelegram())
        now = SystemClock().now()
        readers = list(chats)
        await services.subscriptions.subscribers.insert_many(
            [(c, "private", f"R{c}", "instant", 8, "UTC") for c in readers], now
        )
        body = f"{title}. It must reach every reader once, whatever the network does."
        article = await storage.articles.create(
            NewArticle(title=title, body=body, summary=body, url="https://x.test/soak"),
            content_hash=hashlib.sha256(body.encode()).hexdigest(),
            status="draft",
            now=now,
        )
        queued = await services.broadcast.publish(article.id, admin)
        assert queued == len(readers)
        return article.id
    finally:
        await db.close()


async def spawn_bot(
    fake: FakeBotAPI, db_path: Path, log: Path, **env: str
) -> asyncio.subprocess.Process:
    """`python -m bot run` against the fake, logging to `log`."""
    full = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.base_url,
        "DATABASE_PATH": str(db_path),
        "ADMIN_IDS": str(ADMIN_ID),
        "BROADCAST_RATE": "1000",
        "PAID_BROADCAST": "true",
        "LOG_LEVEL": "INFO",
        **env,
    }
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=full, stdout=out, stderr=out, cwd=ROOT
        )


async def stop_bot(
    bot: asyncio.subprocess.Process, sig: int = signal.SIGTERM, timeout: float = 30
) -> int:
    """Signal the bot (unless it already exited) and wait for it; return its exit status."""
    if bot.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            bot.send_signal(sig)
    return await asyncio.wait_for(bot.wait(), timeout)


async def outbox_statuses(db_path: Path) -> dict[str, int]:
    """Deliveries per status, read from the SQLite file."""
    db = await Database.open(db_path)
    try:
        rows = await db.fetchall("SELECT status, count(*) AS n FROM deliveries GROUP BY status")
    finally:
        await db.close()
    return {r["status"]: r["n"] for r in rows}


async def run_checked(
    run: Callable[[FakeBotAPI, Path], Awaitable[R]],
    summary: Callable[[R], str],
    problems: Callable[[R], list[str]],
    log_tail: Callable[[R], str],
) -> int:
    """A benchmark's run against a fresh fake (with the admin) in a temporary folder: print
    its summary and each problem found; return the exit status (1 if anything failed)."""
    async with FakeBotAPI() as fake:
        fake.add_user(ADMIN_ID, "Ada")
        with tempfile.TemporaryDirectory() as tmp:
            report = await run(fake, Path(tmp))
    print(summary(report))
    found = problems(report)
    for problem in found:
        print(f"FAIL: {problem}")
    print("PASS: every check held" if not found else log_tail(report))
    return 1 if found else 0
