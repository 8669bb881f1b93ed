"""Thin scheduler callbacks: what the JobQueue runs periodically, each calling one service.

All scheduled state lives in SQLite (outbox due times, scheduled articles, feeds), so these
jobs are simply re-created at start-up; nothing is lost with PTB's in-memory JobQueue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.container import Services

JobCallback = Callable[[Services], Awaitable[None]]


async def report_progress(services: Services) -> None:
    """Edit the publishing admins' progress messages."""
    await services.broadcast.report_progress()


async def publish_scheduled(services: Services) -> None:
    """Publish scheduled articles whose time has come."""
    await services.publishing.publish_due()


async def poll_feeds(services: Services) -> None:
    """Poll the RSS/Atom feeds that are due (each feed keeps its own interval)."""
    await services.feeds.poll_due()


# (name, interval in seconds, callback)
JOBS: list[tuple[str, float, JobCallback]] = [
    ("progress", 3.0, report_progress),
    ("scheduled", 20.0, publish_scheduled),
    ("feeds", 20.0, poll_feeds),
]
