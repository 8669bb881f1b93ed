"""/stats: subscribers, deliveries and what each article did, with a chart (admins)."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CommandHandler

from bot.handlers.permissions import require_admin
from bot.handlers.replies import reply
from bot.i18n import N_, _
from bot.services.delivery.stats import article_lines, stats_text
from bot.services.engagement.chart import chart_png
from bot.services.engagement.deeplinks import article_link
from bot.telegram_adapter.context import BotApplication, BotContext

STATS_USAGE = N_("Send /stats for the overview, or <code>/stats ID</code> for one article.")


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
        png, caption=_("📈 Readers joined and left, deliveries per day, engagement per article")
    )


async def _one_article(update: Update, context: BotContext, args: list[str]) -> None:
    raw = args[0].lstrip("#")
    if len(args) != 1 or not raw.isdigit() or len(raw) > 18:
        given = html.escape(repr(" ".join(args)[:64]))
        await reply(
            update, _("{given} is not an article id.").format(given=given) + " " + _(STATS_USAGE)
        )
        return
    services = context.services
    found = await services.stats.figures([int(raw)])
    if not found or found[0].status in ("draft", "scheduled"):
        missing = _("There is no published article #{id}.").format(id=int(raw))
        await reply(update, f"{missing} {_(STATS_USAGE)}")
        return
    item = found[0]
    lines = article_lines(item, services.settings.timezone)
    link = article_link(context.bot.username, item.id)
    lines += ["", _("Link to share: {link}").format(link=html.escape(link))]
    await reply(update, "\n".join(lines))


def register(app: BotApplication) -> None:
    """Register admin handlers."""
    app.add_handler(CommandHandler("stats", stats))
