"""Thin scheduler callbacks: what the JobQueue runs periodically, each calling one service.

All scheduled state lives in SQLite (outbox due times, scheduled articles, feeds, the last
prune) or on disk (the backups' file names), so these jobs are simply re-created at
start-up; nothing is lost with PTB's in-memory JobQueue.
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


async def back_up(services: Services) -> None:
    """Back up the database when the newest backup in BACKUP_DIR is a day old."""
    if services.backups is not None:
        await services.backups.run_due()


async def prune_storage(services: Services) -> None:
    """Compact and prune old records once a day (the last run's time is kept in SQLite)."""
    await services.retention.prune_if_due()


# (name, interval in seconds, callback)
JOBS: list[tuple[str, float, JobCallback]] = [
    ("progress", 3.0, report_progress),
    ("scheduled", 20.0, publish_scheduled),
    ("feeds", 20.0, poll_feeds),
    # Cheap (one folder listing) unless a day has passed; checked often so that a backup
    # follows soon after start-up when the last one is overdue.
    ("backup", 10.0, back_up),
    ("prune", 60.0, prune_storage),  # checks whether a day has passed; prunes in batches
]
