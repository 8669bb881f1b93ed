"""Retention: keep per-message records RETENTION_DAYS, then compact them into per-article totals.

Statistics read the totals plus the rows still on record, so they give the same figures
before and after compaction. The work runs in small batches with a pause between them, so
replies and deliveries get the database in between; the bot runs it once a day, and when it
last did is kept in SQLite (the job queue forgets everything at a restart).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from storage.models import to_ts
from storage.retention import LAST_PRUNE, RetentionRepository

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(days=1)
LIVE_DRAFTS = ("draft", "scheduled")  # their previews' buttons still act


@dataclass(frozen=True)
class PruneOptions:
    """How big each step is and how long to yield between steps."""

    batch: int = 2000
    pause: float = 0.005


@dataclass(frozen=True)
class PruneReport:
    """What one prune removed (deliveries were counted into totals first)."""

    deliveries: int = 0
    messages: int = 0
    broadcasts: int = 0
    prompts: int = 0
    feed_entries: int = 0
    drafts: int = 0
    related: int = 0
    batches: int = 0


class RetentionService:
    """Compacts and prunes records older than the retention period, in small batches."""

    def __init__(
        self,
        repo: RetentionRepository,
        clock: Clock,
        retention_days: int,
        options: PruneOptions | None = None,
    ) -> None:
        self.repo = repo
        self.clock = clock
        self.retention = timedelta(days=retention_days)
        self.options = options or PruneOptions()
        self._lock = asyncio.Lock()

    async def prune_if_due(self) -> PruneReport | None:
        """Prune when the last prune (as recorded in SQLite) is a day old or more."""
        now = self.clock.now()
        last = await self.repo.get_state(LAST_PRUNE)
        if last is not None and to_ts(now) - last < PRUNE_EVERY.total_seconds():
            return None
        report = await self.prune()
        await self.repo.set_state(LAST_PRUNE, to_ts(now))
        log.info("pruned records older than %s days: %s", self.retention.days, report)
        return report

    async def prune(self, older_than: timedelta | None = None) -> PruneReport:
        """Compact and delete everything final that is older than `older_than` (default: the
        retention period; zero compacts everything already final)."""
        age = self.retention if older_than is None else older_than
        async with self._lock:  # the daily job and a manual run never overlap
            before = self.clock.now() - age
            deliveries, messages, batches = await self._per_article(before)
            counts = await self._expired(before)
            await self.repo.checkpoint()
        return PruneReport(deliveries, messages, batches=batches + counts.pop("batches"), **counts)

    async def _pause(self) -> None:
        await asyncio.sleep(self.options.pause)

    async def _per_article(self, before: datetime) -> tuple[int, int, int]:
        """Deliveries and message records, article by article, in batches."""
        deliveries = messages = batches = 0
        after = 0
        while (article_id := await self.repo.next_article_with_records(after)) is not None:
            after = article_id
            state = await self.repo.article_state(article_id)
            if state is None:
                continue
            if state.compactable and (state.published_at or 0) <= to_ts(before):
                # Rows are queued at publication: a newer article has none this old.
                chat = -(2**63)
                while True:
                    step = await self.repo.compact_deliveries(
                        article_id, chat, before, self.options.batch
                    )
                    deliveries, batches = deliveries + step.removed, batches + 1
                    await self._pause()
                    if step.next_after is None:
                        break
                    chat = step.next_after
            previews = state.status not in LIVE_DRAFTS
            while removed := await self.repo.prune_messages(
                article_id, before, self.options.batch, previews=previews
            ):
                messages, batches = messages + removed, batches + 1
                await self._pause()
        return deliveries, messages, batches

    async def _expired(self, before: datetime) -> dict[str, int]:
        """Finished broadcasts, old prompts, feed entries, drafts, lists of gone articles."""
        steps = {
            "broadcasts": lambda n: self.repo.prune_broadcasts(before, n),
            "prompts": lambda n: self.repo.prune_prompts(before, n),
            "feed_entries": lambda n: self.repo.prune_feed_entries(before, n),
            "drafts": lambda n: self.repo.prune_drafts(before, n),
            "related": self.repo.prune_withdrawn_related,
        }
        counts = dict.fromkeys(steps, 0)
        counts["batches"] = 0
        for name, step in steps.items():
            while removed := await step(self.options.batch):
                counts[name] += removed
                counts["batches"] += 1
                await self._pause()
        return counts
