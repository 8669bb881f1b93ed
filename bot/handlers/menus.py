"""The command menu Telegram shows next to the message field: per language, and with the
admin commands only in admins' own chats (command scopes)."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, gettext_in

log = logging.getLogger(__name__)

READER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Subscribe to the news")),
    ("settings", N_("Delivery time, time zone, topics, language")),
    ("help", N_("What this bot can do")),
    ("search", N_("Find an article")),
    ("stop", N_("Unsubscribe")),
    ("related", N_("Reply to an article: related reading")),
    ("comments", N_("Reply to an article: read its comments")),
    ("id", N_("Your Telegram user id and this chat's id")),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("publish", N_("Preview an article, then publish it")),
    ("articles", N_("Recent and scheduled articles")),
    ("edit", N_("Correct a title or summary")),
    ("unpublish", N_("Withdraw an article")),
    ("feeds", N_("RSS/Atom feeds")),
    ("ban", N_("Stop a user from commenting")),
    ("unban", N_("Let a user comment again")),
    ("stats", N_("Subscribers and deliveries")),
)


def menu(language: str, commands: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    """Commands with their descriptions in one language."""
    return [BotCommand(name, gettext_in(language, text)) for name, text in commands]


async def set_command_menus(bot: Bot, admin_ids: frozenset[int]) -> None:
    """Readers' commands for everyone, in every language (Telegram picks the one matching
    the user's app, English otherwise); readers' and admin commands in each admin's chat."""
    for language in LANGUAGES:
        extra: dict[str, Any] = {} if language == DEFAULT_LANGUAGE else {"language_code": language}
        await bot.set_my_commands(menu(language, READER_COMMANDS), **extra)
        everything = menu(language, READER_COMMANDS + ADMIN_COMMANDS)
        for admin in sorted(admin_ids):
            try:
                await bot.set_my_commands(everything, scope=BotCommandScopeChat(admin), **extra)
            except TelegramError as exc:  # an admin who never opened a chat with the bot
                log.warning("no admin command menu for %s: %s", admin, exc)
