"""/feeds (admins): list, add and remove RSS/Atom feeds."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.handlers.permissions import require_admin
from bot.handlers.replies import reply
from bot.i18n import N_, _, ngettext
from bot.services.feeds.service import MODES, last_failure
from bot.services.publishing.drafts import PublishError
from bot.services.text.formatting import escape, truncate
from bot.services.text.multipart import pack_lines
from bot.telegram_adapter.context import BotApplication, BotContext
from storage.models import Feed

USAGE = N_(
    "<code>/feeds</code> — the list\n"
    "<code>/feeds add https://… auto</code> — publish new entries automatically\n"
    "<code>/feeds add https://… review</code> — send new entries to admins to confirm\n"
    "<code>/feeds remove 2</code> — remove feed number 2"
)


def _line(number: int, feed: Feed) -> str:
    title = escape(truncate(feed.title or feed.url, 80))
    line = f"{number}. <b>{title}</b> · {feed.mode}\n    {escape(truncate(feed.url, 200))}"
    # Worded now, in the language of the admin reading the list.
    error = last_failure(feed)
    if error:
        failures = feed.consecutive_failures
        streak = ngettext("({n} in a row)", "({n} in a row)", failures).format(n=failures)
        line += f"\n    ⚠️ {escape(truncate(error, 200))} {streak}"
    return line


async def _list(update: Update, context: BotContext) -> None:
    feeds = await context.services.feeds.list()
    if not feeds:
        await reply(update, _("No feeds yet.") + f"\n\n{_(USAGE)}")
        return
    lines = [_line(number, feed) for number, feed in enumerate(feeds, start=1)]
    # Every feed is listed (their numbers are what /feeds remove takes), over several
    # messages when one would be too long.
    for text in pack_lines([_("📡 <b>Feeds</b>") + "\n", *lines, f"\n{_(USAGE)}"]):
        await reply(update, text)


async def _add(update: Update, context: BotContext, args: list[str]) -> None:
    if not 1 <= len(args) <= 2:
        await reply(update, _(USAGE))
        return
    mode = args[1].lower() if len(args) == 2 else "review"
    if mode not in MODES:
        await reply(update, _("The mode must be auto or review.") + f"\n\n{_(USAGE)}")
        return
    services = context.services
    user = update.effective_user
    feed = await services.feeds.add(args[0], mode, user.id if user else None)
    number = await services.feeds.number_of(feed.id)
    if mode == "auto":
        text = _(
            "📡 Added feed {number}: <b>{title}</b> (auto).\n"
            "Entries it lists now count as seen; new ones will be published automatically."
        )
    else:
        text = _(
            "📡 Added feed {number}: <b>{title}</b> (review).\n"
            "Entries it lists now count as seen; new ones will be sent to admins to confirm."
        )
    await reply(
        update, text.format(number=number, title=escape(truncate(feed.title or feed.url, 200)))
    )


async def feeds_command(update: Update, context: BotContext) -> None:
    """/feeds, /feeds add <url> [auto|review], /feeds remove <n>."""
    if not await require_admin(update, context):
        return
    args = context.args or []
    action = args[0].lower() if args else ""
    try:
        if not args:
            await _list(update, context)
        elif action == "add":
            await _add(update, context, args[1:])
        elif action == "remove" and len(args) == 2 and args[1].isdecimal():
            feed = await context.services.feeds.remove(int(args[1]))
            await reply(
                update,
                _("Removed the feed <b>{title}</b>.").format(title=escape(feed.title or feed.url)),
            )
        else:
            await reply(update, _("I don't understand that.") + f"\n\n{_(USAGE)}")
    except PublishError as exc:
        await reply(update, f"❌ {escape(str(exc))}")


def register(app: BotApplication) -> None:
    """Register /feeds."""
    app.add_handler(CommandHandler("feeds", feeds_command))
