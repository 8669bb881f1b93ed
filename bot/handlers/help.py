"""/help, /id, and the answers to commands and buttons no feature handles."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.handlers.replies import publisher_name, reply, user_id
from bot.i18n import N_, _
from bot.services.messaging.notifier import EXPIRED
from bot.telegram_adapter.context import BotApplication, BotContext

READER_HELP = N_(
    "<b>{name}</b> brings you our articles in Telegram.\n\n"
    "/start — subscribe\n"
    "/settings — each article as published or a daily digest, time zone, topics, language\n"
    "/search — find an article (or type @ and my name in any chat)\n"
    "/stop — unsubscribe\n"
    "/related — reply to an article to see related reading\n"
    "/comments — reply to an article to read its comments\n"
    "/id — your Telegram user id and this chat's id\n"
    "/help — this message\n\n"
    "Reply to any article to leave a comment."
)
ADMIN_HELP = N_(
    "<b>Admin</b>\n"
    "/publish &lt;link or text&gt; — preview, then publish now or later\n"
    "/articles — recent and scheduled articles\n"
    "/edit &lt;id&gt; — correct a title or summary\n"
    "/unpublish &lt;id&gt; — withdraw an article (you confirm first)\n"
    "/feeds — RSS/Atom feeds\n"
    "/ban, /unban &lt;user id&gt; — comment moderation\n"
    "/stats — subscribers and deliveries"
)


async def id_command(update: Update, context: BotContext) -> None:
    """/id: anyone's user id and the chat's id (what ADMIN_IDS and chat settings need)."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or message is None:
        return
    lines = []
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        lines.append(_("You are posting anonymously as this group, so your user id is hidden."))
    elif user is not None:
        lines.append(_("Your Telegram user id: <code>{id}</code>").format(id=user.id))
    lines.append(_("This chat's id: <code>{id}</code>").format(id=chat.id))
    if user is not None and context.services.is_admin(user.id):
        lines.append(_("You are one of this bot's admins."))
    else:
        lines.append(_("Admins are the user ids listed in <code>ADMIN_IDS</code>."))
    await reply(update, "\n".join(lines))


async def help_command(update: Update, context: BotContext) -> None:
    """/help: what the bot does and its commands."""
    text = _(READER_HELP).format(name=html.escape(publisher_name(context)))
    if context.services.is_admin(user_id(update)):
        text += "\n\n" + _(ADMIN_HELP)
    await reply(update, text)


async def unknown_command(update: Update, context: BotContext) -> None:
    """Any command we do not know."""
    command = ""
    if update.effective_message and update.effective_message.text:
        command = update.effective_message.text.split()[0]
    await reply(
        update,
        _("I don't know {command}. Send /help to see what I can do.").format(
            command=html.escape(command)
        ),
    )


async def unknown_button(update: Update, context: BotContext) -> None:
    """Button data no feature handles (forged, or from an old version): answer it anyway."""
    # An unanswered callback query leaves the button's spinner turning on the user's screen.
    if update.callback_query is not None:
        await update.callback_query.answer(_(EXPIRED))


def register(app: BotApplication) -> None:
    """Register /help and /id."""
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("id", id_command))


def register_fallback(app: BotApplication) -> None:
    """Register the unknown-command and unknown-button answers; must come after the rest."""
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(CallbackQueryHandler(unknown_button))
