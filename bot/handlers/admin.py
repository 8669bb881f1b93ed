"""/stats: subscribers and deliveries, for admins."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.handlers.common import get_services, reply, require_admin
from bot.services.delivery.stats import stats_text


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: subscriber and delivery figures."""
    if not await require_admin(update, context):
        return
    services = get_services(context)
    await reply(
        update,
        await stats_text(
            services.subscriptions.subscribers, services.deliveries, services.settings.timezone
        ),
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Register admin handlers."""
    app.add_handler(CommandHandler("stats", stats))
