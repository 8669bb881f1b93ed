"""/settings: typed arguments and the settings keyboard's buttons (changes need admin rights
in groups)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.container import Services
from bot.handlers.languages import choose_pressed, choose_typed
from bot.handlers.permissions import may_manage_chat
from bot.handlers.replies import edit_query_message, reply
from bot.handlers.settings_view import (
    settings_keyboard,
    settings_text,
    submenu,
    topics_keyboard,
)
from bot.i18n import N_, _
from bot.services.messaging.callback_data import (
    SETTINGS_BUTTONS,
    CallbackData,
    DigestHour,
    LanguageChoice,
    SettingsMenu,
    TopicToggle,
    ZoneChoice,
    parse_any,
)
from bot.services.messaging.notifier import EXPIRED
from bot.services.readers.subscriptions import SubscriptionService
from bot.services.text.timeutil import COMMON_ZONES, TimeParseError, parse_zone
from bot.telegram_adapter.context import BotApplication, BotContext
from storage.models import Subscriber

SETTINGS_USAGE = N_(
    "Change settings with the buttons, or type:\n"
    "<code>/settings instant</code> — each article as published\n"
    "<code>/settings digest 8</code> — a daily digest at 08:00\n"
    "<code>/settings tz Europe/Berlin</code> — your time zone\n"
    "<code>/settings topics politics, sport</code> — only these topics "
    "(<code>/settings topics all</code> for everything)\n"
    "<code>/settings follow rail, tram</code> — also articles with these words\n"
    "<code>/settings mute football</code> — never articles with these words "
    "(<code>none</code> clears either list)\n"
    "<code>/settings language ru</code> — the bot's language: en, ru or uz"
)
NOT_SUBSCRIBED = N_("You are not subscribed. Send /start to subscribe first.")


@dataclass(frozen=True)
class _Refusal:
    """Why a settings button changed nothing: the answer to show on the button press."""

    text: str
    alert: bool


async def settings(update: Update, context: BotContext) -> None:
    """/settings, with optional typed arguments (changes need admin rights in groups)."""
    chat = update.effective_chat
    if chat is None:
        return
    services = context.services
    sub = await services.subscriptions.get(chat.id)
    if sub is None or sub.status != "active":
        await reply(update, _(NOT_SUBSCRIBED))
        return
    args = context.args or []
    if args:
        if not await may_manage_chat(update, context):
            return
        error = await _apply_typed(chat.id, args, context)
        if error:
            await reply(update, f"{error}\n\n{_(SETTINGS_USAGE)}")
            return
        sub = await services.subscriptions.get(chat.id) or sub
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            settings_text(sub, services.clock.now()),
            parse_mode=ParseMode.HTML,
            reply_markup=settings_keyboard(sub),
        )


async def _apply_typed(chat_id: int, args: list[str], context: BotContext) -> str | None:
    """Apply `/settings <what> <value>`; return an error message or None."""
    services = context.services
    what, rest = args[0].lower(), " ".join(args[1:]).strip()
    if what in ("language", "lang"):
        return await choose_typed(services.languages, chat_id, rest)
    if what in ("follow", "mute"):
        return await _set_words(services.subscriptions, chat_id, what, rest)
    return await _apply_delivery(services.subscriptions, chat_id, what, rest)


async def _apply_delivery(
    subs: SubscriptionService, chat_id: int, what: str, rest: str
) -> str | None:
    """`/settings` for schedule, time zone and topics; an error message or None."""
    if what in ("instant", "published"):
        await subs.set_instant(chat_id)
    elif what == "digest":
        if rest and not (rest.isdecimal() and 0 <= int(rest) <= 23):
            return _("The digest hour must be a whole hour from 0 to 23, not {given}.").format(
                given=html.escape(repr(rest))
            )
        await subs.set_digest(chat_id, int(rest) if rest else None)
    elif what in ("tz", "timezone", "zone"):
        try:
            await subs.set_timezone(chat_id, parse_zone(rest))
        except TimeParseError as exc:
            return html.escape(str(exc))
    elif what in ("topics", "topic", "tags"):
        tags = [] if rest.lower() in ("", "all", "everything") else rest.replace(",", " ").split()
        try:
            await subs.set_topics(chat_id, tags)
        except ValueError as exc:
            return html.escape(str(exc))
    else:
        return _("I don't know the setting {given}.").format(given=html.escape(repr(what[:64])))
    return None


async def _set_words(subs: SubscriptionService, chat_id: int, kind: str, rest: str) -> str | None:
    """`/settings follow rail, tram`, `/settings mute football`, `... none` to clear."""
    if not rest:
        if kind == "follow":
            return _("Name the words: <code>/settings follow rail, tram</code> (or follow none).")
        return _("Name the words: <code>/settings mute rail, tram</code> (or mute none).")
    words = [] if rest.lower() in ("none", "nothing", "off") else rest.split(",")
    try:
        await subs.set_words(chat_id, kind, words)
    except ValueError as exc:
        return html.escape(str(exc))
    return None


async def _change(
    button: CallbackData | None, chat_id: int, subs: SubscriptionService
) -> tuple[Subscriber | None, str] | None:
    """Apply a settings button that changes something; None for unknown or stale data."""
    if isinstance(button, DigestHour) and button.hour < 24:
        hour = button.hour
        note = _("Daily digest at {hour}.").format(hour=f"{hour:02d}:00")
        return await subs.set_digest(chat_id, hour), note
    if isinstance(button, ZoneChoice) and button.index < len(COMMON_ZONES):
        chosen = COMMON_ZONES[button.index]
        note = _("Time zone: {zone}.").format(zone=chosen)
        return await subs.set_timezone(chat_id, ZoneInfo(chosen)), note
    action = button.action if isinstance(button, SettingsMenu) else None
    if action == "inst":
        return await subs.set_instant(chat_id), _("You'll get each article as it is published.")
    if action == "tall":
        return await subs.set_topics(chat_id, []), _("You'll get every topic.")
    if action == "back":
        return await subs.get(chat_id), ""
    return None


async def settings_button(update: Update, context: BotContext) -> None:
    """Presses on the settings keyboard."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None or query.data is None:
        return
    services = context.services
    sub = await services.subscriptions.get(chat.id)
    if sub is None or sub.status != "active":
        await query.answer(_(NOT_SUBSCRIBED), show_alert=True)
        return
    if not await may_manage_chat(update, context):
        return
    pressed = await _press(parse_any(query.data, SETTINGS_BUTTONS), chat.id, sub, services)
    if isinstance(pressed, _Refusal):
        await query.answer(pressed.text, show_alert=pressed.alert)
        return
    sub, markup, note = pressed
    await query.answer(note or None)
    await edit_query_message(query, settings_text(sub, services.clock.now()), markup)


async def _press(
    button: CallbackData | None, chat_id: int, sub: Subscriber, services: Services
) -> tuple[Subscriber, InlineKeyboardMarkup | None, str] | _Refusal:
    """Apply a settings button: the settings now, the keyboard to show and a note to answer
    with, or why nothing changed."""
    subs = services.subscriptions
    action = button.action if isinstance(button, SettingsMenu) else None
    if action in ("hours", "zones", "langs"):
        return sub, submenu(action, sub), ""
    if isinstance(button, LanguageChoice):
        note = await choose_pressed(services.languages, chat_id, button)
        sub = await subs.get(chat_id) or sub
        return sub, settings_keyboard(sub), note
    if action == "topics" or isinstance(button, TopicToggle):
        if isinstance(button, TopicToggle):
            try:
                sub = await subs.toggle_topic(chat_id, button.tag) or sub
            except ValueError as exc:  # not a section (old or forged button), or too many
                return _Refusal(str(exc)[:200], alert=True)
        popular = [] if subs.sections else await subs.topic_choices()
        return sub, topics_keyboard(sub, popular, subs.sections), ""
    changed = await _change(button, chat_id, subs)
    if changed is None:
        return _Refusal(_(EXPIRED), alert=False)
    sub = changed[0] or sub
    return sub, settings_keyboard(sub), changed[1]


def register(app: BotApplication) -> None:
    """Register /settings and its buttons."""
    app.add_handler(CommandHandler("settings", settings))
    app.add_handler(CallbackQueryHandler(settings_button, pattern=SettingsMenu.pattern()))
