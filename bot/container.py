"""Wires storage and services together (no Telegram types): what handlers and jobs use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property

from bot.clock import Clock
from bot.config import Settings
from bot.services.delivery.channel import ChannelService
from bot.services.delivery.engine import DeliveryEngine, EngineOptions
from bot.services.delivery.fanout import BroadcastService
from bot.services.delivery.stats import StatsService
from bot.services.engagement.counters import EngagementService
from bot.services.feeds.service import FeedService
from bot.services.messaging.article_messages import ArticleComposer, KeyboardProvider
from bot.services.messaging.notifier import Notifier, OutgoingMessage, to_each_chat
from bot.services.operations.backups import BackupService
from bot.services.operations.retention import RetentionService
from bot.services.publishing.corrections import CorrectionService
from bot.services.publishing.workflow import PublishingService
from bot.services.readers.buttons import ReaderKeyboards
from bot.services.readers.comments import CommentService, ModerationSettings
from bot.services.readers.related import RelatedService
from bot.services.readers.search import SearchService
from bot.services.readers.subscriptions import SubscriptionService
from bot.services.text.formatting import escape
from storage.articles import ArticleRepository
from storage.comments import CommentRepository
from storage.db import Database
from storage.deliveries import DeliveryRepository
from storage.engagement import EngagementRepository
from storage.feeds import FeedRepository
from storage.models import Article
from storage.related import RelatedRepository
from storage.retention import RetentionRepository
from storage.search import SearchRepository
from storage.subscribers import SubscriberRepository

# Called after an article is stored or changed (publish, import, edit), e.g. to refresh
# related-article suggestions. Features append theirs in build_services.
ArticleHook = Callable[[Article], Awaitable[None]]


@dataclass
class Services:
    """The application's services, built once at start-up."""

    settings: Settings
    db: Database
    clock: Clock
    notifier: Notifier
    articles: ArticleRepository
    deliveries: DeliveryRepository
    subscriptions: SubscriptionService
    composer: ArticleComposer
    engine: DeliveryEngine
    broadcast: BroadcastService
    related: RelatedService
    comments: CommentService
    channel: ChannelService
    article_hooks: list[ArticleHook] = field(default_factory=list)

    async def article_changed(self, article: Article) -> None:
        """Run every ArticleHook for an article that was stored or changed."""
        for hook in self.article_hooks:
            await hook(article)

    def is_admin(self, user_id: int | None) -> bool:
        """Whether this Telegram user may use admin commands."""
        return user_id is not None and user_id in self.settings.admin_ids

    async def tell_admins(self, text: str) -> None:
        """Send plain text to every admin (those who cannot be reached are logged)."""
        await to_each_chat(
            self.settings.admin_ids,
            lambda admin: self.notifier.send(
                OutgoingMessage(admin, escape(text), disable_preview=True)
            ),
            "a note for the admins",
        )

    @cached_property
    def backups(self) -> BackupService | None:
        """Daily backups into BACKUP_DIR, when it is set."""
        if self.settings.backup_dir is None:
            return None
        return BackupService(
            self.db.path,
            self.settings.backup_dir,
            self.settings.backup_keep,
            self.clock,
            self.tell_admins,
        )

    # Publishing (issue 4): built on first use from the services above.
    @cached_property
    def publishing(self) -> PublishingService:
        """Drafts, previews, publishing now or on schedule."""
        return PublishingService(
            self.articles,
            self.deliveries,
            self.broadcast,
            self.composer,
            self.notifier,
            self.clock,
            self.settings.timezone,
            self.article_changed,
            self.settings.sections,
        )

    @cached_property
    def corrections(self) -> CorrectionService:
        """/unpublish and /edit of articles already sent."""
        return CorrectionService(
            self.articles,
            self.deliveries,
            self.composer,
            self.notifier,
            self.clock,
            self.article_changed,
            RetentionRepository(self.db),
        )

    @cached_property
    def retention(self) -> RetentionService:
        """Compaction of records older than RETENTION_DAYS (daily, and `newsbot prune`)."""
        return RetentionService(
            RetentionRepository(self.db), self.clock, self.settings.retention_days
        )

    # Engagement and growth (issue 15).
    @cached_property
    def engagement(self) -> EngagementService:
        """Reactions, taps on suggestions, opened comments."""
        return EngagementService(EngagementRepository(self.db))

    @cached_property
    def search(self) -> SearchService:
        """/search and inline queries."""
        return SearchService(SearchRepository(self.db), self.articles)

    @cached_property
    def stats(self) -> StatsService:
        """Subscriber, delivery and engagement figures."""
        return StatsService(
            self.subscriptions.subscribers,
            self.articles,
            self.deliveries,
            self.engagement.repository,
        )

    @cached_property
    def feeds(self) -> FeedService:
        """RSS/Atom feeds."""
        return FeedService(
            FeedRepository(self.db), self.publishing, self.notifier, self.clock, self.settings
        )


def build_services(
    settings: Settings,
    db: Database,
    clock: Clock,
    notifier: Notifier,
    *,
    engine_options: EngineOptions | None = None,
    keyboards: KeyboardProvider | None = None,
) -> Services:
    """Build every service over one database connection."""
    articles = ArticleRepository(db)
    deliveries = DeliveryRepository(db)
    subscriptions = SubscriptionService(
        SubscriberRepository(db), deliveries, clock, settings.timezone, settings.sections
    )
    related = RelatedService(RelatedRepository(db), clock)
    moderation = ModerationSettings(
        settings.admin_ids, settings.comments_moderation, settings.timezone
    )
    comments = CommentService(
        CommentRepository(db), articles, deliveries, notifier, clock, moderation
    )
    keyboards = keyboards or ReaderKeyboards(related)
    composer = ArticleComposer(
        articles, settings.timezone, keyboards, style=settings.article_style
    )
    engine = DeliveryEngine(
        deliveries, articles, subscriptions, composer, notifier, clock, engine_options
    )
    channel = ChannelService(deliveries, composer)
    broadcast = BroadcastService(articles, deliveries, engine, notifier, clock, channel)
    services = Services(
        settings=settings,
        db=db,
        clock=clock,
        notifier=notifier,
        articles=articles,
        deliveries=deliveries,
        subscriptions=subscriptions,
        composer=composer,
        engine=engine,
        broadcast=broadcast,
        related=related,
        comments=comments,
        channel=channel,
    )
    services.article_hooks.append(related.article_changed)
    return services
