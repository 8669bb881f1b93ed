"""Which language the bot answers in: chosen for every update before any handler runs, and
the reader's choice in /settings (its buttons and `/settings language ru`)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import TypeHandler

from bot.i18n import LANGUAGE_NAMES, LANGUAGES, _, set_language
from bot.services.messaging.callback_data import LanguageChoice
from bot.services.messaging.notifier import Button
from bot.services.readers.languages import LanguageService
from bot.telegram_adapter.context import BotApplication, BotContext
from bot.telegram_adapter.notifier import to_markup
from storage.models import Subscriber


async def choose_language(update: object, context: BotContext) -> None:
    """Before any handler: the bot answers this update in the chat's stored language, else
    in the language of the person's Telegram app (English for any it does not speak)."""
    if not isinstance(update, Update):
        return
    chat, user = update.effective_chat, update.effective_user
    # Inline queries have no chat: their sender's private chat stands for it.
    chat_id = chat.id if chat is not None else user.id if user is not None else None
    if chat_id is None:
        return
    code = user.language_code if user is not None else None
    languages = context.services.languages
    # The handlers of one update run in one task: the choice holds for all of them.
    set_language(await languages.for_update(chat_id, code))


def languages_keyboard(sub: Subscriber, back: Button) -> InlineKeyboardMarkup | None:
    """The languages the bot speaks, each named in itself, and the way back."""
    row = tuple(
        Button(("✅ " if code == sub.language else "") + LANGUAGE_NAMES[code],
               LanguageChoice(code).pack())  # type: ignore[arg-type]
        for code in LANGUAGES
    )  # fmt: skip
    return to_markup((row, (back,)))


async def choose_typed(languages: LanguageService, chat_id: int, given: str) -> str | None:
    """`/settings language ru`: an error message, or None (the rest of the answer is then in
    the new language)."""
    if not await languages.choose(chat_id, given.lower()):
        return _("The language must be one of {choices}, not {given}.").format(
            choices=", ".join(LANGUAGES), given=html.escape(repr(given[:16]))
        )
    set_language(given.lower())
    return None


async def choose_pressed(languages: LanguageService, chat_id: int, button: LanguageChoice) -> str:
    """A language button: store it, answer in it from now on, and say so."""
    await languages.choose(chat_id, button.language)
    set_language(button.language)
    return _("The bot now writes to you in English.")


def register(app: BotApplication) -> None:
    """Choose the language of every update before the features handle it."""
    app.add_handler(TypeHandler(Update, choose_language), group=-90)
