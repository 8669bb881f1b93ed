"""The delivery engine: streams due outbox rows to Telegram, paced and crash-safe.

Each outbox row is marked sent in its own commit right after Telegram accepts the message,
so a crash (even `kill -9`) can only repeat messages that were in flight at that instant:
at most one per sender worker. Everything else resumes from SQLite exactly where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.delivery.pacing import ChatGate
from bot.services.delivery.recorder import SentRecorder
from bot.services.messaging.article_messages import ArticleComposer
from bot.services.messaging.callback_data import OpenArticle
from bot.services.messaging.notifier import (
    Button,
    ChatMigrated,
    ChatUnavailable,
    Notifier,
    OutgoingMessage,
    PermanentError,
    PhotoRefused,
    RetryLater,
    SendError,
    TransientError,
)
from bot.services.readers.subscriptions import SubscriptionService
from bot.services.text.formatting import button_title, render_digest_parts
from bot.services.text.timeutil import format_day
from storage.articles import ArticleRepository
from storage.deliveries import DeliveryRepository, DigestBatch
from storage.models import Delivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MAX_BACKOFF = 300.0


@dataclass(frozen=True)
class EngineOptions:
    """Tunables of the sender."""

    workers: int = 2
    batch_size: int = 200
    poll_interval: float = 1.0


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 2, 4, 8 ... seconds, capped."""
    return timedelta(seconds=min(MAX_BACKOFF, 2.0 ** max(1, attempts)))


class DeliveryEngine:
    """Sends due deliveries with a few workers, each with one message in flight."""

    def __init__(
        self,
        deliveries: DeliveryRepository,
        articles: ArticleRepository,
        subscriptions: SubscriptionService,
        composer: ArticleComposer,
        notifier: Notifier,
        clock: Clock,
        options: EngineOptions | None = None,
    ) -> None:
        self.deliveries = deliveries
        self.articles = articles
        self.subscriptions = subscriptions
        self.composer = composer
        self.notifier = notifier
        self.clock = clock
        self.options = options or EngineOptions()
        self.gate = ChatGate()
        self.recorder = SentRecorder(deliveries, clock)
        self._wake = asyncio.Event()
        self._troubled = False  # a worker hit an unexpected error in the current batch
        # A short queue: the loop reads the next rows while the last ones are still being sent.
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue(maxsize=self.options.workers)
        # Rows handed out and not yet recorded; the next read skips them, so a row is never
        # handed out twice, and one slow send does not hold up everything behind it.
        self._in_flight: set[int] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self.sent = 0
        self.failed = 0

    def wake(self) -> None:
        """Look for due deliveries now (something was just queued)."""
        self._wake.set()

    def start(self) -> None:
        """Start the scheduler loop and the sender workers."""
        if self._tasks:
            return
        self._tasks = [asyncio.create_task(self._loop(), name="delivery-loop")]
        self._tasks += [
            asyncio.create_task(self._worker(), name=f"delivery-worker-{i}")
            for i in range(self.options.workers)
        ]

    async def stop(self) -> None:
        """Stop sending; unsent rows stay pending in SQLite for the next start."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.recorder.stop()

    async def _loop(self) -> None:
        while True:
            try:
                found = await self.run_once()
            except Exception:
                log.exception("delivery loop failed; retrying shortly")
                found = 0
            if found and not self._troubled:
                continue
            # An unexpected error leaves its row pending: wait before trying it again rather
            # than spinning on it.
            self._troubled = False
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.options.poll_interval)

    async def run_once(self) -> int:
        """Queue what is due now; return how many deliveries were handed to workers."""
        now = self.clock.now()
        handled = 0
        for batch in await self.deliveries.due_digests(now, 50):
            await self.send_digest(batch)
            handled += 1
        rows = await self.deliveries.due_instant(
            now, self.options.batch_size, skip=tuple(self._in_flight)
        )
        for row in rows:
            self._in_flight.add(row.id)
            await self._queue.put(row)
        return handled + len(rows)

    async def _worker(self) -> None:
        while True:
            delivery = await self._queue.get()
            try:
                await self.deliver(delivery)
            except Exception:
                log.exception("delivery %s failed unexpectedly", delivery.id)
                self._troubled = True
            finally:
                self._in_flight.discard(delivery.id)
                self._queue.task_done()

    async def deliver(self, delivery: Delivery) -> None:
        """Send one article to one chat and record the outcome."""
        message = await self.composer.compose(delivery.article_id, delivery.chat_id)
        if message is None:
            await self.deliveries.mark_failed(delivery.id, "article withdrawn", self.clock.now())
            return
        try:
            if message.is_photo:
                message_id = await self._send_card(delivery)
            else:
                message_id = await self._send(message)
        except SendError as exc:
            await self._record_failure(delivery, exc)
            return
        await self.recorder.record(delivery.id, message_id)
        self.sent += 1
        log.debug("article %s sent to %s", delivery.article_id, message.chat_id)

    async def _send_card(self, delivery: Delivery) -> int:
        """Send a photo card; if Telegram refuses the photo, send the article as text and
        keep it text for the rest of the broadcast (only one sender tries the photo first)."""
        async with self.composer.photo_trial(delivery.article_id):
            # Composed again: the photo may have been refused while this sender waited.
            message = await self.composer.compose(delivery.article_id, delivery.chat_id)
            if message is None:
                raise PermanentError("article withdrawn")
            if not message.is_photo:
                return await self._send(message)
            try:
                message_id = await self._send(message)
            except PhotoRefused as exc:
                log.warning(
                    "article %s: photo refused (%s); sending as text", delivery.article_id, exc
                )
                await self.composer.photo_refused(delivery.article_id)
                return await self._send(message.as_text())
            self.composer.photo_accepted(delivery.article_id)
            return message_id

    async def _send(self, message: OutgoingMessage) -> int:
        wait = self.gate.reserve(message.chat_id)
        if wait:
            await asyncio.sleep(wait)
        try:
            return await self.notifier.send(message, broadcast=True)
        except ChatMigrated as exc:
            await self.subscriptions.migrate(message.chat_id, exc.new_chat_id)
            moved = replace(message, chat_id=exc.new_chat_id)
            return await self.notifier.send(moved, broadcast=True)

    async def _record_failure(self, delivery: Delivery, exc: SendError) -> None:
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

    async def send_digest(self, batch: DigestBatch) -> None:
        """Send one chat's digest, split at article boundaries, and record each part."""
        now = self.clock.now()
        by_article = {d.article_id: d for d in batch.deliveries}
        live = [
            a for a in await self.articles.get_many(list(by_article)) if a.status != "withdrawn"
        ]
        for gone in set(by_article) - {a.id for a in live}:
            await self.deliveries.mark_failed(by_article[gone].id, "article withdrawn", now)
        if not live:
            return
        subscriber = await self.subscriptions.get(batch.chat_id)
        tz = ZoneInfo(subscriber.timezone) if subscriber else ZoneInfo("UTC")
        label = format_day(now, tz)
        for text, article_ids in render_digest_parts(live, tz=tz, date_label=label):
            # Each listed article gets a button that opens it with its own reader buttons.
            keyboard = tuple(
                (Button(f"{i}. {button_title(a.title, 40)}", OpenArticle(a.id).pack()),)
                for i, a in enumerate(live, start=1)
                if a.id in article_ids
            )
            message = OutgoingMessage(
                chat_id=batch.chat_id, text=text, keyboard=keyboard, disable_preview=True
            )
            try:
                message_id = await self._send(message)
            except SendError as exc:
                for article_id in article_ids:
                    await self._record_failure(by_article[article_id], exc)
                if isinstance(exc, ChatUnavailable):
                    return
                continue
            await self.deliveries.mark_sent_many(
                [(by_article[article_id].id, message_id) for article_id in article_ids], now
            )
            self.sent += len(article_ids)
