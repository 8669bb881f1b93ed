"""Wires storage and services together (no Telegram types).

`Storage` is the database and its repositories; `build_services` builds every service over it
once, at start-up. Handlers and jobs see only `Services` (through the typed context in
`bot/telegram_adapter/context.py`), so they reach the data through services, never around
them; the CLI and tests may read `Storage` directly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import _
from bot.services.delivery.channel import ChannelService
from bot.services.delivery.engine import DeliveryEngine, EngineOptions, Outbox
from bot.services.delivery.fanout import BroadcastService
from bot.services.delivery.pacing import RoundTripMeter
from bot.services.delivery.stats import StatsService
from bot.services.engagement.counters import EngagementService
from bot.services.feeds.service import FeedService
from bot.services.messaging.article_messages import ArticleComposer, KeyboardProvider
from bot.services.messaging.notifier import (
    LanguageOf,
    Notifier,
    OutgoingMessage,
    to_each_chat,
)
from bot.services.messaging.shown_articles import ShownArticles
from bot.services.operations.backups import BackupService
from bot.services.operations.retention import RetentionService
from bot.services.publishing.corrections import CorrectionService
from bot.services.publishing.workflow import PublishingService
from bot.services.readers.buttons import ReaderKeyboards
from bot.services.readers.comments import CommentService
from bot.services.readers.languages import LanguageService
from bot.services.readers.moderation import CommentModeration, ModerationSettings
from bot.services.readers.related import RelatedService
from bot.services.readers.search import SearchService
from bot.services.readers.subscriptions import SubscriptionService
from bot.services.text.formatting import escape
from storage.articles import ArticleRepository
from storage.comments import CommentRepository
from storage.db import Database
from storage.deliveries import DeliveryRepository
from storage.draft_notes import DraftNoteRepository
from storage.engagement import EngagementRepository
from storage.feeds import FeedRepository
from storage.models import Article
from storage.outbox import OutboxRepository
from storage.related import RelatedRepository
from storage.retention import RetentionRepository
from storage.search import SearchRepository
from storage.subscribers import SubscriberRepository

# Called after an article is stored or changed (publish, import, edit), e.g. to refresh
# related-article suggestions. Features append theirs in build_services.
ArticleHook = Callable[[Article], Awaitable[None]]


@dataclass(frozen=True)
class Storage:
    """The database and a repository per aggregate, all over one connection."""

    db: Database
    articles: ArticleRepository
    draft_notes: DraftNoteRepository
    deliveries: DeliveryRepository
    outbox: OutboxRepository
    subscribers: SubscriberRepository
    comments: CommentRepository
    feeds: FeedRepository
    related: RelatedRepository
    retention: RetentionRepository
    engagement: EngagementRepository
    search: SearchRepository

    @classmethod
    def over(cls, db: Database) -> Storage:
        """The repositories over this database (they hold no state of their own)."""
        return cls(
            db=db,
            articles=ArticleRepository(db),
            draft_notes=DraftNoteRepository(db),
            deliveries=DeliveryRepository(db),
            outbox=OutboxRepository(db),
            subscribers=SubscriberRepository(db),
            comments=CommentRepository(db),
            feeds=FeedRepository(db),
            related=RelatedRepository(db),
            retention=RetentionRepository(db),
            engagement=EngagementRepository(db),
            search=SearchRepository(db),
        )


@dataclass
class Services:
    """The application's services, built once at start-up (services only: no repositories)."""

    settings: Settings
    clock: Clock
    notifier: Notifier
    subscriptions: SubscriptionService
    composer: ArticleComposer
    shown: ShownArticles
    engine: DeliveryEngine
    broadcast: BroadcastService
    stats: StatsService
    related: RelatedService
    comments: CommentService
    moderation: CommentModeration
    channel: ChannelService
    publishing: PublishingService
    corrections: CorrectionService
    feeds: FeedService
    backups: BackupService | None
    retention: RetentionService
    engagement: EngagementService
    search: SearchService
    languages: LanguageService
    article_hooks: list[ArticleHook] = field(default_factory=list)

    async def article_changed(self, article: Article) -> None:
        """Run every ArticleHook for an article that was stored or changed."""
        for hook in self.article_hooks:
            await hook(article)

    def is_admin(self, user_id: int | None) -> bool:
        """Whether this Telegram user may use admin commands."""
        return user_id is not None and user_id in self.settings.admin_ids


def admin_reporter(
    settings: Settings, notifier: Notifier, language_of: LanguageOf
) -> Callable[..., Awaitable[None]]:
    """Sends a note to every admin in their language: a msgid (marked with N_) filled with
    values (plain text, escaped here). Admins who cannot be reached are logged."""

    async def tell_admins(message: str, **values: object) -> None:
        await to_each_chat(
            settings.admin_ids,
            lambda admin: notifier.send(
                OutgoingMessage(admin, escape(_(message).format(**values)), disable_preview=True)
            ),
            "a note for the admins",
            language_of,
        )

    return tell_admins


def build_services(
    settings: Settings,
    storage: Storage,
    clock: Clock,
    notifier: Notifier,
    *,
    engine_options: EngineOptions | None = None,
    keyboards: KeyboardProvider | None = None,
    round_trips: RoundTripMeter | None = None,
) -> Services:
    """Build every service over one database connection."""
    articles, deliveries, tz = storage.articles, storage.deliveries, settings.timezone
    subscriptions = SubscriptionService(
        storage.subscribers, deliveries, articles, clock, tz, settings.sections
    )
    languages = LanguageService(storage.subscribers, clock)
    related = RelatedService(storage.related, clock)
    moderation = CommentModeration(
        storage.comments,
        notifier,
        clock,
        ModerationSettings(settings.admin_ids, settings.comments_moderation, tz),
        languages.of,
    )
    comments = CommentService(storage.comments, articles, moderation, clock)
    keyboards = keyboards or ReaderKeyboards(related)
    composer = ArticleComposer(articles, tz, keyboards, style=settings.article_style)
    engine = DeliveryEngine(
        Outbox(deliveries, storage.outbox),
        articles,
        subscriptions,
        composer,
        notifier,
        clock,
        engine_options,
        rate=settings.broadcast_rate,
        round_trips=round_trips,
        languages=languages.of_many,
    )
    channel = ChannelService(deliveries, composer)
    broadcast = BroadcastService(
        articles, deliveries, engine, notifier, clock, channel, languages.of
    )
    hooks: list[ArticleHook] = [related.article_changed]

    async def article_changed(article: Article) -> None:
        for hook in hooks:
            await hook(article)

    publishing = PublishingService(
        articles,
        storage.draft_notes,
        deliveries,
        broadcast,
        composer,
        notifier,
        clock,
        tz,
        article_changed,
        settings.sections,
    )
    tell_admins = admin_reporter(settings, notifier, languages.of)
    return Services(
        settings=settings,
        clock=clock,
        notifier=notifier,
        subscriptions=subscriptions,
        composer=composer,
        shown=ShownArticles(deliveries, storage.comments, articles, composer, notifier, clock),
        engine=engine,
        broadcast=broadcast,
        stats=StatsService(storage.subscribers, articles, deliveries, storage.engagement),
        related=related,
        comments=comments,
        moderation=moderation,
        channel=channel,
        publishing=publishing,
        corrections=CorrectionService(
            articles,
            deliveries,
            composer,
            notifier,
            clock,
            article_changed,
            storage.retention,
            languages.of_many,
        ),
        feeds=FeedService(storage.feeds, publishing, notifier, clock, settings, languages.of),
        backups=BackupService(
            storage.db.path, settings.backup_dir, settings.backup_keep, clock, tell_admins
        )
        if settings.backup_dir is not None
        else None,
        retention=RetentionService(storage.retention, clock, settings.retention_days),
        engagement=EngagementService(storage.engagement),
        search=SearchService(storage.search, articles),
        languages=languages,
        article_hooks=hooks,
    )
