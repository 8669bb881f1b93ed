"""Telegram handlers, one module per feature; registration sits here in one place."""

from __future__ import annotations

from bot.handlers import (
    admin,
    channel,
    comments,
    engagement,
    errors,
    languages,
    moderation,
    related,
    search,
    settings,
    start,
    subscribe,
)
from bot.handlers import articles as articles_handlers
from bot.handlers import feeds as feeds_handlers
from bot.handlers import help as help_handlers
from bot.handlers import publish as publish_handlers
from bot.telegram_adapter.context import BotApplication


def register(app: BotApplication) -> None:
    """Register every feature's handlers; the unknown-command answer goes last."""
    errors.register(app)
    help_handlers.register(app)
    languages.register(app)
    start.register(app)
    subscribe.register(app)
    settings.register(app)
    admin.register(app)
    engagement.register(app)
    publish_handlers.register(app)
    articles_handlers.register(app)
    feeds_handlers.register(app)
    related.register(app)
    search.register(app)
    moderation.register(app)
    channel.register(app)
    # Comments last: its reply and plain-text handlers catch what no other feature took.
    comments.register(app)
    help_handlers.register_fallback(app)
