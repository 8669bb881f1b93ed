"""Telegram handlers, one module per feature; registration sits here in one place."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import admin, common, subscribe

# Shown in Telegram's command menu.
PUBLIC_COMMANDS: list[tuple[str, str]] = [
    ("start", "Subscribe to the news"),
    ("settings", "Delivery time, time zone and topics"),
    ("help", "What this bot can do"),
    ("stop", "Unsubscribe"),
]


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Register every feature's handlers; the unknown-command answer goes last."""
    common.register(app)
    subscribe.register(app)
    admin.register(app)
    common.register_fallback(app)
