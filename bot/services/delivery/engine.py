"""The delivery engine: streams due outbox rows to Telegram, paced and crash-safe.

Telegram answers each send a network round trip later, so holding the rate takes several
sends in flight: the engine keeps a window of rate x round trip (with headroom, up to a
bound) and claims each row in SQLite before sending it. A row's outcome clears its claim, so
after a crash (even `kill -9`) the rows still claimed are exactly those Telegram may or may
not have accepted: they are logged, flagged and sent again. Everything else resumes from
SQLite exactly where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import DEFAULT_LANGUAGE, using
from bot.services.delivery.digests import digest_messages
from bot.services.delivery.outcomes import Outcomes
from bot.services.delivery.pacing import RoundTripMeter
from bot.services.delivery.sending import Sender
from bot.services.delivery.window import SendWindow
from bot.services.messaging.article_messages import ArticleComposer
from bot.services.messaging.notifier import ChatUnavailable, Notifier, SendError
from bot.services.readers.subscriptions import SubscriptionService
from storage.articles import ArticleRepository
from storage.deliveries import DeliveryRepository, DigestBatch
from storage.models import Delivery
from storage.outbox import OutboxRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineOptions:
    """Tunables of the sender."""

    # Bounds of the window of sends in flight; the upper one also bounds how many rows a
    # crash can leave ambiguous.
    min_in_flight: int = 2
    max_in_flight: int = 512
    batch_size: int = 200  # rows claimed at most in one statement
    poll_interval: float = 1.0
    # Record sent rows with a direct write on the event loop's thread (Database.write_hot)
    # instead of through the database thread; kept for measuring the two (DELIVERY.md).
    direct_writes: bool = False
    drain_seconds: float = 5.0  # at stop, how long the sends in flight may take to finish


@dataclass(frozen=True)
class Outbox:
    """The engine's two views of the deliveries table."""

    deliveries: DeliveryRepository
    claims: OutboxRepository


class DeliveryEngine:
    """Sends due deliveries with a window of sends in flight sized to the round trip."""

    def __init__(
        self,
        outbox: Outbox,
        articles: ArticleRepository,
        subscriptions: SubscriptionService,
        composer: ArticleComposer,
        notifier: Notifier,
        clock: Clock,
        options: EngineOptions | None = None,
        *,
        rate: float = 30.0,
        round_trips: RoundTripMeter | None = None,
        languages: Callable[[Sequence[int]], Awaitable[dict[int, str]]] | None = None,
    ) -> None:
        # The language of each chat's copy (LanguageService.of_many); subscribers' own
        # choices when not given.
        self.languages = languages or subscriptions.languages
        self.deliveries = outbox.deliveries
        self.claims = outbox.claims
        self.articles = articles
        self.subscriptions = subscriptions
        self.composer = composer
        self.clock = clock
        self.options = options or EngineOptions()
        o = self.options
        self.sends = SendWindow(
            rate, round_trips or RoundTripMeter(), o.min_in_flight, o.max_in_flight
        )
        self.sender = Sender(notifier, subscriptions, composer)
        self.outcomes = Outcomes(
            self.deliveries, self.claims, subscriptions, clock, direct=o.direct_writes
        )
        self._wake = asyncio.Event()
        self._troubled = False  # a send hit an unexpected error in the current round
        self._loop_task: asyncio.Task[None] | None = None
        self._digests_due_check = 0.0

    @property
    def sent(self) -> int:
        """Deliveries sent since start."""
        return self.outcomes.sent

    @property
    def failed(self) -> int:
        """Deliveries given up since start."""
        return self.outcomes.failed

    def wake(self) -> None:
        """Look for due deliveries now (something was just queued)."""
        self._wake.set()

    @property
    def peak_in_flight(self) -> int:
        """The most sends that were in flight at once."""
        return self.sends.peak

    def start(self) -> None:
        """Start claiming and sending (after releasing a previous run's claims)."""
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._loop(), name="delivery-loop")

    async def stop(self) -> None:
        """Stop claiming; let the sends in flight finish (briefly); unsent rows stay pending."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        # Rows of sends cut short stay claimed: ambiguous at the next start.
        await self.sends.drain(self.options.drain_seconds)
        await self.outcomes.stop()

    async def recover(self) -> None:
        """Release the claims a previous run left (it died mid-send) and log them."""
        rows = await self.claims.recover_in_flight()
        if rows:
            shown = ", ".join(f"{r.id} (chat {r.chat_id})" for r in rows[:20])
            log.warning(
                "%d deliveries were in flight when the bot stopped; Telegram may have"
                " accepted them, so they are sent again (ambiguous): %s%s",
                len(rows),
                shown,
                " ..." if len(rows) > 20 else "",
            )

    async def _loop(self) -> None:
        while True:
            try:
                await self.recover()
                break
            except Exception:
                log.exception("releasing the previous run's claims failed; retrying")
                await asyncio.sleep(self.options.poll_interval)
        while True:
            try:
                found = await self.run_once()
            except Exception:
                log.exception("delivery loop failed; retrying shortly")
                found = 0
            if found and not self._troubled:
                continue
            if self._troubled:
                # After an unexpected error, wait before claiming again rather than spin on
                # it (a row that failed before its send is back in the queue with a backoff;
                # one that failed after it stays claimed: it may have gone out).
                self._troubled = False
                self._wake.clear()
            # A wake() that came while run_once ran is still set: no wait then.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.options.poll_interval)

    async def run_once(self) -> int:
        """Claim what is due now, as far as the window allows, and start sending it;
        return how many deliveries were started."""
        handled = 0
        # Consumed here, not when the loop goes to sleep: a broadcast keeps the loop busy, and
        # the digests need looking at once per wake-up or poll, not once per claim.
        woken = self._wake.is_set()
        self._wake.clear()
        if woken or time.monotonic() >= self._digests_due_check:
            self._digests_due_check = time.monotonic() + self.options.poll_interval
            for batch in await self.deliveries.due_digests(self.clock.now(), 50):
                await self.send_digest(batch)
                handled += 1
        free = await self.sends.room()
        rows = await self.claims.claim_instant(
            self.clock.now(), min(free, self.options.batch_size)
        )
        # Each chat gets the bot's own words (byline, buttons) in its language: one query for
        # the batch, not one per message.
        languages = await self.languages([row.chat_id for row in rows]) if rows else {}
        for row in rows:
            language = languages.get(row.chat_id, DEFAULT_LANGUAGE)
            self.sends.start(self._send_one(row, language), name=f"delivery-{row.id}")
        return handled + len(rows)

    async def _send_one(self, delivery: Delivery, language: str = DEFAULT_LANGUAGE) -> None:
        try:
            with using(language):
                await self.deliver(delivery)
        except Exception:
            log.exception("delivery %s failed unexpectedly", delivery.id)
            self._troubled = True

    async def deliver(self, delivery: Delivery) -> None:
        """Send one article to one chat and record the outcome."""
        started = time.monotonic()
        try:
            message = await self.composer.compose(delivery.article_id, delivery.chat_id)
        except Exception as exc:
            await self.outcomes.unsent(delivery, exc)  # nothing went out: safe to try again
            raise
        composed = time.monotonic()
        if message is None:
            await self.outcomes.withdrawn(delivery.id, self.clock.now())
            return
        try:
            if message.is_photo:
                message_id = await self.sender.send_card(delivery)
            else:
                message_id = await self.sender.send(message)
        except SendError as exc:
            await self.outcomes.failure(delivery, exc)
            return
        answered = time.monotonic()
        await self.outcomes.sent_one(delivery.id, message_id)
        self.sends.overhead.observe(composed - started + time.monotonic() - answered)
        log.debug("article %s sent to %s", delivery.article_id, message.chat_id)

    async def send_digest(self, batch: DigestBatch) -> None:
        """Send one chat's digest, split at article boundaries, and record each part."""
        now = self.clock.now()
        by_article = {d.article_id: d for d in batch.deliveries}
        live = [
            a for a in await self.articles.get_many(list(by_article)) if a.status != "withdrawn"
        ]
        for gone in set(by_article) - {a.id for a in live}:
            await self.outcomes.withdrawn(by_article[gone].id, now)
        if not live:
            return
        subscriber = await self.subscriptions.get(batch.chat_id)
        tz = ZoneInfo(subscriber.timezone) if subscriber else ZoneInfo("UTC")
        with using(subscriber.language if subscriber else DEFAULT_LANGUAGE):
            messages = digest_messages(live, batch.chat_id, tz, now)
        for message, article_ids in messages:
            await self.claims.claim([by_article[a].id for a in article_ids], now)
            try:
                message_id = await self.sender.send(message)
            except SendError as exc:
                for article_id in article_ids:
                    await self.outcomes.failure(by_article[article_id], exc)
                if isinstance(exc, ChatUnavailable):
                    return
                continue
            await self.outcomes.sent_together(
                [(by_article[article_id].id, message_id) for article_id in article_ids], now
            )
