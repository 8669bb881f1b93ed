"""Wires storage and services together (no Telegram types): what handlers and jobs use."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.services.broadcast import BroadcastService
from bot.services.compose import ArticleComposer, KeyboardProvider
from bot.services.delivery import DeliveryEngine, EngineOptions
from bot.services.notifier import Notifier
from bot.services.subscriptions import SubscriptionService
from storage.articles import ArticleRepository
from storage.db import Database
from storage.deliveries import DeliveryRepository
from storage.subscribers import SubscriberRepository


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

    def is_admin(self, user_id: int | None) -> bool:
        """Whether this Telegram user may use admin commands."""
        return user_id is not None and user_id in self.settings.admin_ids


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
        SubscriberRepository(db), deliveries, clock, settings.timezone
    )
    composer = ArticleComposer(articles, settings.timezone, keyboards)
    engine = DeliveryEngine(
        deliveries, articles, subscriptions, composer, notifier, clock, engine_options
    )
    broadcast = BroadcastService(articles, deliveries, engine, notifier, clock)
    return Services(
        settings=settings, db=db, clock=clock, notifier=notifier, articles=articles,
        deliveries=deliveries, subscriptions=subscriptions, composer=composer, engine=engine,
        broadcast=broadcast,
    )
