"""The /settings message: a summary of the subscriber's settings and its keyboards."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.handlers.languages import languages_keyboard
from bot.i18n import LANGUAGE_NAMES, _
from bot.services.messaging.callback_data import (
    DigestHour,
    SettingsAction,
    SettingsMenu,
    TopicToggle,
    ZoneChoice,
)
from bot.services.messaging.notifier import Button
from bot.services.text.timeutil import COMMON_ZONES
from bot.telegram_adapter.notifier import to_markup
from storage.models import Subscriber

DIGEST_HOURS = (6, 7, 8, 9, 12, 17, 18, 20, 21)


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


def submenu(action: SettingsAction, sub: Subscriber) -> InlineKeyboardMarkup | None:
    """The keyboard a menu button opens: digest hours, time zones or languages."""
    if action == "hours":
        return hours_keyboard()
    if action == "zones":
        return zones_keyboard()
    return languages_keyboard(sub, Button(_("« Back"), _menu("back")))
