"""Small helpers shared by tests: readers who subscribe, articles published by service call."""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.telegram_adapter.rate_limiter import PacedRateLimiter, Release
from storage.models import Article, NewArticle, Subscriber
from tests.conftest import ADMIN_ID, RunningBot
from tests.fakes.botapi import FakeBotAPI


async def subscribe(fake: FakeBotAPI, user_id: int, name: str | None = None) -> None:
    """A reader sends /start and reads the welcome."""
    if user_id not in fake.chats:
        fake.add_user(user_id, name or f"Reader {user_id}")
    fake.send_text(user_id, "/start")
    await fake.wait_for_message(user_id)


async def subscription(bot: RunningBot, chat_id: int) -> Subscriber:
    """The chat's subscription, which the test expects to exist."""
    sub = await bot.services.subscriptions.get(chat_id)
    assert sub is not None, f"chat {chat_id} has no subscription"
    return sub


async def publish(
    bot: RunningBot,
    title: str,
    body: str = "",
    *,
    tags: tuple[str, ...] = (),
    url: str | None = None,
    admin: int | None = ADMIN_ID,
    image_url: str | None = None,
    summary: str | None = None,
) -> Article:
    """Store an article and publish it through the broadcast service."""
    body = body or f"{title}. This is the first sentence of the story. It has a second one too."
    services = bot.services
    new = NewArticle(
        title=title,
        body=body,
        summary=body[:300] if summary is None else summary,
        url=url,
        tags=tags,
        image_url=image_url,
    )
    article = await bot.storage.articles.create(
        new,
        content_hash=hashlib.sha256(f"{title}\n{body}".encode()).hexdigest(),
        status="draft",
        now=services.clock.now(),
    )
    await services.broadcast.publish(article.id, admin)
    return article


async def drained(bot: RunningBot, timeout: float = 10.0, kind: str = "instant") -> None:
    """Wait until no delivery of `kind` is pending (the sender records after Telegram answers)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        row = await bot.storage.db.fetchone(
            "SELECT count(*) AS n FROM deliveries WHERE status = 'pending' AND kind = ?", (kind,)
        )
        if row is not None and row["n"] == 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("outbox still has pending deliveries")


def releases(bot: RunningBot) -> list[Release]:
    """From now on, every request the bot's rate limiter lets go (broadcast lanes included).

    Telegram's limits are checked at these moments, where the bot holds them: the fake Bot
    API shares the test's event loop, so on a busy machine its receipt times lag the sends by
    whatever the process was stalled, which no real network would add."""
    limiter = bot.app.bot.rate_limiter
    assert isinstance(limiter, PacedRateLimiter)
    limiter.trace = []
    return limiter.trace


def busiest_second(times: Iterable[float]) -> int:
    """The most moments that fall within any one second."""
    window: deque[float] = deque()
    most = 0
    for t in sorted(times):
        window.append(t)
        while t - window[0] >= 1.0:
            window.popleft()
        most = max(most, len(window))
    return most


def feed_admins(
    fake: FakeBotAPI, admins: dict[int, tuple[str, str]]
) -> tuple[FakeClock, dict[str, str]]:
    """Admins (id: name, language) known to Telegram, a fake clock, and a feed test's settings."""
    for admin, (name, language) in admins.items():
        fake.add_user(admin, name, language_code=language)
    env = {"ADMIN_IDS": ",".join(str(a) for a in admins), "FEED_POLL_MINUTES": "1"}
    return FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)), env
