"""What became of each send: sent rows recorded (group commit), failures retried later or
given up, and the counts of both."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.services.delivery.recorder import SentRecorder
from bot.services.messaging.notifier import (
    ChatUnavailable,
    PermanentError,
    RetryLater,
    SendError,
    TransientError,
)
from bot.services.readers.subscriptions import SubscriptionService
from storage.deliveries import DeliveryRepository
from storage.models import Delivery
from storage.outbox import OutboxRepository

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MAX_BACKOFF = 300.0


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 2, 4, 8 ... seconds, capped."""
    return timedelta(seconds=min(MAX_BACKOFF, 2.0 ** max(1, attempts)))


class Outcomes:
    """Records each delivery's outcome and counts what was sent and what failed."""

    def __init__(
        self,
        deliveries: DeliveryRepository,
        claims: OutboxRepository,
        subscriptions: SubscriptionService,
        clock: Clock,
        *,
        direct: bool = False,
    ) -> None:
        self.deliveries = deliveries
        self.claims = claims
        self.subscriptions = subscriptions
        self.clock = clock
        self.recorder = SentRecorder(claims, clock, direct=direct)
        self.sent = 0
        self.failed = 0

    async def sent_one(self, delivery_id: int, message_id: int) -> None:
        """Record one sent delivery (in the recorder's next group commit)."""
        await self.recorder.record(delivery_id, message_id)
        self.sent += 1

    async def sent_together(self, sent: Sequence[tuple[int, int]], now: datetime) -> None:
        """Record deliveries sent in one message (a digest part): (delivery id, message id)."""
        await self.claims.mark_sent_many(sent, now)
        self.sent += len(sent)

    async def withdrawn(self, delivery_id: int, now: datetime) -> None:
        """Give up a delivery whose article was withdrawn."""
        await self.deliveries.mark_failed(delivery_id, "article withdrawn", now)

    async def failure(self, delivery: Delivery, exc: SendError) -> None:
        """Retry a failed send later, or give it up (and an unreachable chat with it)."""
        now = self.clock.now()
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, ChatUnavailable):
            log.info("chat %s unreachable (%s): marked inactive", delivery.chat_id, reason)
            await self.deliveries.mark_failed(delivery.id, reason, now)
            await self.subscriptions.mark_unreachable(delivery.chat_id, reason)
            self.failed += 1
        elif isinstance(exc, RetryLater):
            due = now + timedelta(seconds=exc.retry_after)
            await self.deliveries.retry_later(delivery.id, due, reason, count_attempt=False)
        elif isinstance(exc, TransientError) and delivery.attempts + 1 < MAX_ATTEMPTS:
            due = now + backoff(delivery.attempts + 1)
            log.warning("delivery %s: %s; retrying at %s", delivery.id, reason, due)
            await self.deliveries.retry_later(delivery.id, due, reason)
        else:
            level = logging.ERROR if isinstance(exc, PermanentError) else logging.WARNING
            log.log(level, "delivery %s to %s failed: %s", delivery.id, delivery.chat_id, reason)
            await self.deliveries.mark_failed(delivery.id, reason, now)
            self.failed += 1

    async def unsent(self, delivery: Delivery, exc: Exception) -> None:
        """Put back a delivery that failed before anything was sent (its message could not be
        composed), so that it is not left claimed until a restart; give up after MAX_ATTEMPTS."""
        now = self.clock.now()
        reason = f"{type(exc).__name__}: {exc}"
        if delivery.attempts + 1 < MAX_ATTEMPTS:
            await self.deliveries.retry_later(
                delivery.id, now + backoff(delivery.attempts + 1), reason
            )
        else:
            await self.deliveries.mark_failed(delivery.id, reason, now)
            self.failed += 1

    async def stop(self) -> None:
        """Write the sent records still waiting for their group commit."""
        await self.recorder.stop()
