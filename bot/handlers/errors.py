"""The central error handler: every failure is logged and the user is told, never left waiting."""

from __future__ import annotations

import logging

from telegram import Update

from bot.handlers.replies import reply
from bot.i18n import _
from bot.telegram_adapter.context import BotApplication, BotContext

log = logging.getLogger(__name__)


async def error_handler(update: object, context: BotContext) -> None:
    """Log any failure and tell the user something went wrong instead of staying silent."""
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(_("Sorry, something went wrong. Please try again."))
        elif update.effective_message is not None:
            await reply(update, _("Sorry, something went wrong on our side. Please try again."))
    except Exception:
        log.exception("could not tell the user about the failure")


def register(app: BotApplication) -> None:
    """Register the error handler."""
    app.add_error_handler(error_handler)
