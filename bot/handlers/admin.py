"""/stats: subscribers, deliveries and what each article did, with a chart (admins)."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CommandHandler

from bot.handlers.permissions import require_admin
from bot.handlers.replies import reply
from bot.services.delivery.stats import article_lines, stats_text
from bot.services.engagement.chart import chart_png
from bot.services.engagement.deeplinks import article_link
from bot.telegram_adapter.context import BotApplication, BotContext

STATS_USAGE = "Send /stats for the overview, or <code>/stats ID</code> for one article."


async def stats(update: Update, context: BotContext) -> None:
    """/stats: the overview and the chart; /stats ID: one article's figures."""
    if not await require_admin(update, context):
        return
    args = context.args or []
    if args:
        await _one_article(update, context, args)
        return
    services = context.services
    report = await services.stats.report()
    await reply(update, stats_text(report, services.settings.timezone))
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    png = await chart_png(await services.stats.chart_data(services.clock.now()))
    await message.reply_photo(
        png, caption="📈 Readers joined and left, deliveries per day, engagement per article"
    )


async def _one_article(update: Update, context: BotContext, args: list[str]) -> None:
    raw = args[0].lstrip("#")
    if len(args) != 1 or not raw.isdigit() or len(raw) > 18:
        await reply(
            update, f"{html.escape(' '.join(args)[:64])!r} is not an article id. " + STATS_USAGE
        )
        return
    services = context.services
    found = await services.stats.figures([int(raw)])
    if not found or found[0].status in ("draft", "scheduled"):
        await reply(update, f"There is no published article #{int(raw)}. {STATS_USAGE}")
        return
    item = found[0]
    lines = article_lines(item, services.settings.timezone)
    link = article_link(context.bot.username, item.id)
    lines += ["", f"Link to share: {html.escape(link)}"]
    await reply(update, "\n".join(lines))


def register(app: BotApplication) -> None:
    """Register admin handlers."""
    app.add_handler(CommandHandler("stats", stats))
