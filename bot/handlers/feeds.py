"""/feeds (admins): list, add and remove RSS/Atom feeds."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.handlers.permissions import require_admin
from bot.handlers.replies import reply
from bot.services.feeds.service import MODES
from bot.services.publishing.drafts import PublishError
from bot.services.text.formatting import escape, pack_lines, truncate
from bot.telegram_adapter.context import BotApplication, BotContext
from storage.models import Feed

USAGE = (
    "<code>/feeds</code> — the list\n"
    "<code>/feeds add https://… auto</code> — publish new entries automatically\n"
    "<code>/feeds add https://… review</code> — send new entries to admins to confirm\n"
    "<code>/feeds remove 2</code> — remove feed number 2"
)


def _line(number: int, feed: Feed) -> str:
    title = escape(truncate(feed.title or feed.url, 80))
    line = f"{number}. <b>{title}</b> · {feed.mode}\n    {escape(truncate(feed.url, 200))}"
    if feed.last_error:
        failures = feed.consecutive_failures
        line += f"\n    ⚠️ {escape(truncate(feed.last_error, 200))} ({failures} in a row)"
    return line


async def _list(update: Update, context: BotContext) -> None:
    feeds = await context.services.feeds.list()
    if not feeds:
        await reply(update, f"No feeds yet.\n\n{USAGE}")
        return
    lines = [_line(number, feed) for number, feed in enumerate(feeds, start=1)]
    # Every feed is listed (their numbers are what /feeds remove takes), over several
    # messages when one would be too long.
    for text in pack_lines(["📡 <b>Feeds</b>\n", *lines, f"\n{USAGE}"]):
        await reply(update, text)


async def _add(update: Update, context: BotContext, args: list[str]) -> None:
    if not 1 <= len(args) <= 2:
        await reply(update, USAGE)
        return
    mode = args[1].lower() if len(args) == 2 else "review"
    if mode not in MODES:
        await reply(update, f"The mode must be auto or review.\n\n{USAGE}")
        return
    services = context.services
    user = update.effective_user
    feed = await services.feeds.add(args[0], mode, user.id if user else None)
    number = await services.feeds.number_of(feed.id)
    what = "published automatically" if mode == "auto" else "sent to admins to confirm"
    await reply(
        update,
        f"📡 Added feed {number}: <b>{escape(truncate(feed.title or feed.url, 200))}</b>"
        f" ({mode}).\n"
        f"Entries it lists now count as seen; new ones will be {what}.",
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
            await reply(update, f"Removed the feed <b>{escape(feed.title or feed.url)}</b>.")
        else:
            await reply(update, f"I don't understand that.\n\n{USAGE}")
    except PublishError as exc:
        await reply(update, f"❌ {escape(str(exc))}")


def register(app: BotApplication) -> None:
    """Register /feeds."""
    app.add_handler(CommandHandler("feeds", feeds_command))
