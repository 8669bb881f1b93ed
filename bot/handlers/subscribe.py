"""/stop, /settings and the chat-status updates that keep subscriptions right."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import ChatMemberUpdated, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handlers.languages import choose_pressed, choose_typed, languages_keyboard
from bot.handlers.permissions import may_manage_chat
from bot.handlers.replies import edit_query_message, reply
from bot.i18n import LANGUAGE_NAMES, N_, _
from bot.services.messaging.callback_data import (
    SETTINGS_BUTTONS,
    CallbackData,
    DigestHour,
    LanguageChoice,
    SettingsAction,
    SettingsMenu,
    TopicToggle,
    ZoneChoice,
    parse_any,
)
from bot.services.messaging.notifier import EXPIRED, Button
from bot.services.readers.subscriptions import SubscriptionService
from bot.services.text.timeutil import COMMON_ZONES, TimeParseError, parse_zone
from bot.telegram_adapter.context import BotApplication, BotContext
from bot.telegram_adapter.notifier import to_markup
from storage.models import Subscriber

WELCOME = N_(
    "👋 <b>Welcome to {name}!</b> You are subscribed: each new article will arrive here as it is "
    "published, with related reading underneath.\n\n"
    "• /settings — get one daily digest instead, set your time zone, pick topics\n"
    "• Reply to an article to leave a comment\n"
    "• /stop — unsubscribe at any time"
)
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
DIGEST_HOURS = (6, 7, 8, 9, 12, 17, 18, 20, 21)
NOT_SUBSCRIBED = N_("You are not subscribed. Send /start to subscribe first.")


def chat_name(update: Update) -> str:
    """The chat's title or its person's name, for the subscription record."""
    chat = update.effective_chat
    if chat is None:
        return ""
    return chat.title or chat.full_name or chat.username or ""


def settings_text(sub: Subscriber, now: datetime) -> str:
    """A summary of a subscriber's settings."""
    zone = ZoneInfo(sub.timezone)
    delivery = (
        _("each article as it is published")
        if sub.mode == "instant"
        else _("one daily digest at {hour}").format(hour=f"{sub.digest_hour:02d}:00")
    )
    topics = ", ".join(f"#{html.escape(t)}" for t in sub.topics) or _("everything")
    text = _(
        "⚙️ <b>Your settings</b>\n"
        "Delivery: {delivery}\n"
        "Time zone: {zone} (now {time})\n"
        "Topics: {topics}\n"
        "Language: {language}"
    ).format(
        delivery=delivery,
        zone=html.escape(sub.timezone),
        time=f"{now.astimezone(zone):%H:%M}",
        topics=topics,
        language=LANGUAGE_NAMES.get(sub.language, sub.language),
    )
    if sub.follows:
        also = _("Also articles with: {words}").format(words=html.escape(", ".join(sub.follows)))
        text += "\n" + also
    if sub.mutes:
        never = _("Never articles with: {words}").format(words=html.escape(", ".join(sub.mutes)))
        text += "\n" + never
    return text


def _menu(action: SettingsAction) -> str:
    return SettingsMenu(action).pack()


def settings_keyboard(sub: Subscriber) -> InlineKeyboardMarkup | None:
    """The main settings buttons."""
    instant = _("As published")
    digest = _("Daily digest")
    return to_markup(
        (
            (
                Button(("✅ " if sub.mode == "instant" else "") + instant, _menu("inst")),
                Button(("✅ " if sub.mode == "digest" else "") + digest, _menu("hours")),
            ),
            (Button(_("🌍 Time zone"), _menu("zones")), Button(_("🏷 Topics"), _menu("topics"))),
            (Button(_("🌐 Language"), _menu("langs")),),
        )
    )


def hours_keyboard() -> InlineKeyboardMarkup | None:
    """Digest hour choices."""
    row = tuple(Button(f"{h:02d}:00", DigestHour(h).pack()) for h in DIGEST_HOURS)
    return to_markup((row[:5], row[5:], (Button(_("« Back"), _menu("back")),)))


def zones_keyboard() -> InlineKeyboardMarkup | None:
    """Common time zones, two a row."""
    buttons = [Button(z, ZoneChoice(i).pack()) for i, z in enumerate(COMMON_ZONES)]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return to_markup((*rows, (Button(_("« Back"), _menu("back")),)))


def topics_keyboard(
    sub: Subscriber, tags: list[str], sections: tuple[str, ...] = ()
) -> InlineKeyboardMarkup | None:
    """Topic toggles: every section when SECTIONS is set (and anything followed from before),
    else the most used tags plus the ones already followed."""
    if sections:
        shown = list(dict.fromkeys([*sections, *sub.topics]))
    else:
        shown = list(dict.fromkeys([*sub.topics, *tags]))[:12]
    # Tags longer than fits in callback data (64 bytes) can still be set by typing.
    buttons = [
        Button(("✅ #" if t in sub.topics else "#") + t, TopicToggle(t).pack())
        for t in shown
        if TopicToggle(t).fits()
    ]
    rows = tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))
    everything = ("✅ " if not sub.topics else "") + _("Everything")
    back = Button(_("« Back"), _menu("back"))
    return to_markup((*rows, (Button(everything, _menu("tall")), back)))


async def stop(update: Update, context: BotContext) -> None:
    """/stop and /unsubscribe: no more deliveries, nothing left pending."""
    chat = update.effective_chat
    if chat is None or not await may_manage_chat(update, context):
        return
    if await context.services.subscriptions.unsubscribe(chat.id):
        await reply(
            update,
            _(
                "You are unsubscribed and will get no more articles. "
                "Send /start to come back any time."
            ),
        )
    else:
        await reply(update, _("You are not subscribed. Send /start to subscribe."))


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
    subs = services.subscriptions
    sub = await subs.get(chat.id)
    if sub is None or sub.status != "active":
        await query.answer(_(NOT_SUBSCRIBED), show_alert=True)
        return
    if not await may_manage_chat(update, context):
        return
    button = parse_any(query.data, SETTINGS_BUTTONS)
    action = button.action if isinstance(button, SettingsMenu) else None
    current, back = sub, Button(_("« Back"), _menu("back"))
    menus: dict[str | None, Callable[[], InlineKeyboardMarkup | None]] = {
        "hours": hours_keyboard,
        "zones": zones_keyboard,
        "langs": lambda: languages_keyboard(current, back),
    }
    note = ""
    if action in menus:
        markup = menus[action]()
    elif isinstance(button, LanguageChoice):
        note = await choose_pressed(services.languages, chat.id, button)
        sub = await subs.get(chat.id) or sub
        markup = settings_keyboard(sub)
    elif action == "topics" or isinstance(button, TopicToggle):
        if isinstance(button, TopicToggle):
            try:
                sub = await subs.toggle_topic(chat.id, button.tag) or sub
            except ValueError as exc:  # not a section (old or forged button), or too many
                await query.answer(str(exc)[:200], show_alert=True)
                return
        popular = [] if subs.sections else await subs.topic_choices()
        markup = topics_keyboard(sub, popular, subs.sections)
    else:
        changed = await _change(button, chat.id, subs)
        if changed is None:
            await query.answer(_(EXPIRED))
            return
        sub, note = changed[0] or sub, changed[1]
        markup = settings_keyboard(sub)
    await query.answer(note or None)
    await edit_query_message(query, settings_text(sub, services.clock.now()), markup)


async def chat_member(update: Update, context: BotContext) -> None:
    """The bot was blocked, removed, unblocked or re-added in a chat."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    subs = context.services.subscriptions
    status = change.new_chat_member.status
    if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
        await subs.mark_unreachable(change.chat.id, "bot was blocked or removed from the chat")
    elif status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
        await subs.mark_reachable(change.chat.id)


async def migrated(update: Update, context: BotContext) -> None:
    """A group became a supergroup: keep its subscription under the new id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    await context.services.subscriptions.migrate(message.chat.id, message.migrate_to_chat_id)


def register(app: BotApplication) -> None:
    """Register subscription handlers."""
    app.add_handler(CommandHandler(["stop", "unsubscribe"], stop))
    app.add_handler(CommandHandler("settings", settings))
    app.add_handler(CallbackQueryHandler(settings_button, pattern=SettingsMenu.pattern()))
    app.add_handler(ChatMemberHandler(chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated))
