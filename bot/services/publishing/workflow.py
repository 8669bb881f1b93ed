"""Drafts, previews, publishing now or at a set time: what /publish and its buttons do."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import _
from bot.services.delivery.fanout import BroadcastService
from bot.services.ingest.extract import ExtractedArticle
from bot.services.messaging.article_messages import ArticleComposer
from bot.services.messaging.notifier import EXPIRED, Notifier, OutgoingMessage
from bot.services.publishing.drafts import PublishError, content_hash, to_new_article
from bot.services.publishing.preview import PreviewFacts, preview_message
from bot.services.text.sections import suggest_sections, toggled
from bot.services.text.timeutil import format_local, parse_local_datetime
from storage.articles import ArticleRepository
from storage.deliveries import DeliveryRepository
from storage.draft_notes import DraftNoteRepository
from storage.models import Article, DraftNote

log = logging.getLogger(__name__)

ArticleCallback = Callable[[Article], Awaitable[None]]


@dataclass(frozen=True)
class DraftCreated:
    """A new draft waiting for the admin's decision."""

    article: Article


@dataclass(frozen=True)
class DuplicateFound:
    """The same link or text was stored before; nothing new was stored."""

    earlier: Article


DraftOutcome = DraftCreated | DuplicateFound


class PublishingService:
    """Stores drafts, previews them and publishes them now or when they fall due."""

    def __init__(
        self,
        articles: ArticleRepository,
        notes: DraftNoteRepository,
        deliveries: DeliveryRepository,
        broadcast: BroadcastService,
        composer: ArticleComposer,
        notifier: Notifier,
        clock: Clock,
        tz: ZoneInfo,
        on_change: ArticleCallback,
        sections: tuple[str, ...] = (),
    ) -> None:
        self.articles = articles
        self.notes = notes
        self.deliveries = deliveries
        self.broadcast = broadcast
        self.composer = composer
        self.notifier = notifier
        self.clock = clock
        self.tz = tz
        self.on_change = on_change
        self.sections = sections
        # Buttons arrive concurrently: a status check and its change must not interleave.
        self._lock = asyncio.Lock()

    async def create_draft(
        self,
        extracted: ExtractedArticle,
        *,
        created_by: int | None,
        source: str = "admin",
        external_id: str | None = None,
        schedule_at: datetime | None = None,
        note: DraftNote | None = None,
    ) -> DraftOutcome:
        """Store a draft unless the same link or text was stored before; with SECTIONS set,
        it starts in the sections its tags and text suggest."""
        digest = content_hash(extracted.title, extracted.body)
        if self.sections:
            suggested = suggest_sections(
                self.sections, extracted.tags, extracted.title, extracted.body
            )
            tags = tuple(dict.fromkeys([*extracted.tags, *suggested]))
            extracted = dataclasses.replace(extracted, tags=tags)
        async with self._lock:
            earlier = await self._earlier(extracted.url, digest)
            if earlier is not None:
                return DuplicateFound(earlier)
            new = await to_new_article(
                extracted, source=source, created_by=created_by, external_id=external_id
            )
            now = self.clock.now()
            article = await self.articles.create(new, content_hash=digest, status="draft", now=now)
            if schedule_at is not None:
                await self.articles.set_status(article.id, "draft", now, scheduled_at=schedule_at)
                article = await self._get(article.id)
            if note is not None:
                await self.notes.set(article.id, note)
        return DraftCreated(article)

    async def _earlier(self, url: str | None, digest: str) -> Article | None:
        """A stored non-draft with this link or text; stale drafts of it are discarded."""
        while True:
            found = await self.articles.find_duplicate(url, digest)
            if found is None or found.status != "draft":
                return found
            # An abandoned preview of the same article: the new one replaces it.
            await self.articles.delete_draft(found.id)

    async def _get(self, article_id: int) -> Article:
        article = await self.articles.get(article_id)
        if article is None:
            raise PublishError(_(EXPIRED))
        return article

    async def preview(self, article_id: int, chat_id: int) -> OutgoingMessage:
        """A draft as readers will see it, under a header saying it is a preview and whom it
        reaches, with the section toggles and the admin's buttons underneath."""
        article = await self._take_draft(article_id)
        channel = self.broadcast.channel.target if self.broadcast.channel else None
        facts = PreviewFacts(
            article,
            await self.deliveries.audience(article_id),
            await self.notes.get(article_id),
            self.sections,
            channel.title if channel else None,
        )
        return preview_message(facts, await self.composer.message_for(article, chat_id), self.tz)

    async def toggle_section(self, article_id: int, index: int) -> Article:
        """Put a draft in the section with this index of SECTIONS, or take it out."""
        if not 0 <= index < len(self.sections):
            raise PublishError(_(EXPIRED))
        async with self._lock:
            draft = await self._take_draft(article_id)
            await self.articles.set_tags(article_id, toggled(draft.tags, self.sections[index]))
        self.composer.invalidate(article_id)
        return await self._get(article_id)

    async def send_preview(self, article_id: int, chat_id: int) -> int:
        """Send a draft's preview to an admin; return its message id."""
        message = await self.preview(article_id, chat_id)
        message_id = await self.notifier.send(message)
        now = self.clock.now()
        await self.deliveries.record_message(chat_id, message_id, article_id, "preview", now)
        return message_id

    async def reader_view(self, article_id: int, chat_id: int) -> OutgoingMessage | None:
        """The preview as readers see it (after a decision was taken); readers' buttons only
        once it is published, since before that they would do nothing."""
        self.composer.invalidate(article_id)
        message = await self.composer.compose(article_id, chat_id)
        article = await self.articles.get(article_id)
        if message is None or article is None or article.status == "published":
            return message
        return dataclasses.replace(message, keyboard=())

    async def _take_draft(self, article_id: int) -> Article:
        article = await self.articles.get(article_id)
        if article is None or article.status != "draft":
            raise PublishError(_(EXPIRED))
        return article

    async def publish_now(self, article_id: int, admin_chat_id: int | None) -> Article:
        """Publish a draft to subscribers at once."""
        async with self._lock:
            await self._take_draft(article_id)
            await self._publish(article_id, admin_chat_id)
        return await self._get(article_id)

    async def _publish(self, article_id: int, admin_chat_id: int | None) -> None:
        self.composer.invalidate(article_id)
        queued = await self.broadcast.publish(article_id, admin_chat_id)
        if queued is None:  # withdrawn while it waited for its time
            return
        log.info("published article %s (%s deliveries)", article_id, queued)
        await self.on_change(await self._get(article_id))

    async def schedule(self, article_id: int, choice: str) -> Article:
        """Schedule a draft: choice is "h1" (in an hour), "tm" (tomorrow 08:00) or "at"."""
        now = self.clock.now()
        async with self._lock:
            draft = await self._take_draft(article_id)
            if choice == "h1":
                when = now + timedelta(hours=1)
            elif choice == "tm":
                when = parse_local_datetime("tomorrow 08:00", self.tz, now)
            elif choice == "at" and draft.scheduled_at is not None:
                when = draft.scheduled_at
                if when <= now:
                    shown = format_local(when, self.tz)
                    raise PublishError(
                        _("{time} has already passed; choose another time.").format(time=shown)
                    )
            else:
                raise PublishError(_(EXPIRED))
            await self.articles.set_status(article_id, "scheduled", now, scheduled_at=when)
            self.composer.invalidate(article_id)
        return await self._get(article_id)

    async def cancel(self, article_id: int) -> Article:
        """Discard a draft; return what it was."""
        async with self._lock:
            draft = await self._take_draft(article_id)
            await self.articles.delete_draft(article_id)
        self.composer.invalidate(article_id)
        return draft

    async def publish_due(self) -> list[int]:
        """Publish every scheduled article whose time has come; return their ids."""
        done = []
        for article_id in await self.articles.due_scheduled(self.clock.now()):
            async with self._lock:
                article = await self.articles.get(article_id)
                if article is None or article.status != "scheduled":
                    continue
                await self._publish(article_id, article.created_by)
            done.append(article_id)
        return done

    async def publish_from_feed(self, article_id: int) -> None:
        """Publish a feed article straight away (feeds in auto mode)."""
        async with self._lock:
            await self._take_draft(article_id)
            await self._publish(article_id, None)

    async def listing(self, limit: int = 15) -> list[Article]:
        """Scheduled articles first, then the latest published or withdrawn ones."""
        return await self.articles.recent(limit)
