"""Shared handler helpers, /help, unknown commands and the central error handler."""

from __future__ import annotations

import html
import logging
from typing import cast

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.container import Services
from bot.services.messaging.notifier import EXPIRED

log = logging.getLogger(__name__)

READER_HELP = (
    "<b>{name}</b> brings you our articles in Telegram.\n\n"
    "/start — subscribe\n"
    "/settings — each article as published or a daily digest, time zone, topics\n"
    "/search — find an article (or type @ and my name in any chat)\n"
    "/stop — unsubscribe\n"
    "/related — reply to an article to see related reading\n"
    "/comments — reply to an article to read its comments\n"
    "/id — your Telegram user id and this chat's id\n"
    "/help — this message\n\n"
    "Reply to any article to leave a comment."
)
ADMIN_HELP = (
    "\n\n<b>Admin</b>\n"
    "/publish &lt;link or text&gt; — preview, then publish now or later\n"
    "/articles — recent and scheduled articles\n"
    "/edit &lt;id&gt; — correct a title or summary\n"
    "/unpublish &lt;id&gt; — withdraw an article (you confirm first)\n"
    "/feeds — RSS/Atom feeds\n"
    "/ban, /unban &lt;user id&gt; — comment moderation\n"
    "/stats — subscribers and deliveries"
)


def get_services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services stored in the application by build_app."""
    return cast(Services, context.application.bot_data["services"])


async def reply(update: Update, text: str) -> None:
    """Answer the message that triggered this update (HTML)."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
        )


async def edit_query_message(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit the message a button sits on; pressing a button that changes nothing is fine."""
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def user_id(update: Update) -> int | None:
    """The id of the person behind an update, if any."""
    return update.effective_user.id if update.effective_user else None


def publisher_name(context: ContextTypes.DEFAULT_TYPE) -> str:
    """The publisher's name for the bot's texts: BOT_NAME, else the bot's Telegram name."""
    return get_services(context).settings.bot_name or context.bot.first_name or "newsbot"


def refusal_text(uid: int | None) -> str:
    """The answer to a non-admin's admin command: their id and where admins are configured."""
    if uid is None:
        return "Sorry, only the publisher's admins can use that command."
    return (
        "Sorry, only the publisher's admins can use that command.\n"
        f"Your Telegram user id is <code>{uid}</code>. If you run this bot, add it to "
        "<code>ADMIN_IDS</code> in its settings (.env) and restart it."
    )


async def require_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True for admins; everyone else gets a polite refusal with their id (and it is logged)."""
    uid = user_id(update)
    if get_services(context).is_admin(uid):
        return True
    what = _attempt(update)
    log.warning("refused %s from user id %s (not in ADMIN_IDS)", what, uid)
    if update.callback_query is not None:
        await update.callback_query.answer(
            f"Only the publisher's admins can do that (your user id: {uid}; see ADMIN_IDS)."
        )
    else:
        await reply(update, refusal_text(uid))
    return False


def _attempt(update: Update) -> str:
    """What a refused user tried, for the log: the command word or the button's data."""
    if update.callback_query is not None:
        return f"button {(update.callback_query.data or '')[:64]!r}"
    message = update.effective_message
    text = (message.text or message.caption or "") if message is not None else ""
    return f"command {text.split()[0][:64]!r}" if text.split() else "an admin action"


GROUP_CHATS = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
GROUP_MANAGERS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
NOT_GROUP_ADMIN = "Only this group's admins can change its subscription."
RIGHTS_UNKNOWN = "I couldn't check your admin rights just now. Please try again in a minute."


async def may_manage_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True if the sender may change this chat's subscription; otherwise they are told why.

    Anyone manages their own private chat. In a group, only its admins do, or else any member
    could unsubscribe everyone. Anonymous admins post as the group itself."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or chat.type not in GROUP_CHATS:
        return True
    sender_chat = message.sender_chat if message is not None else None
    if sender_chat is not None and sender_chat.id == chat.id:
        return True
    answer = NOT_GROUP_ADMIN
    if user is not None:
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            log.warning("getChatMember in %s failed: %s", chat.id, exc)
            answer = RIGHTS_UNKNOWN
        else:
            if member.status in GROUP_MANAGERS:
                return True
    if update.callback_query is not None:
        await update.callback_query.answer(answer, show_alert=True)
    else:
        await reply(update, answer)
    return False


async def id_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/id: anyone's user id and the chat's id (what ADMIN_IDS and chat settings need)."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or message is None:
        return
    lines = []
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        lines.append("You are posting anonymously as this group, so your user id is hidden.")
    elif user is not None:
        lines.append(f"Your Telegram user id: <code>{user.id}</code>")
    lines.append(f"This chat's id: <code>{chat.id}</code>")
    if user is not None and get_services(context).is_admin(user.id):
        lines.append("You are one of this bot's admins.")
    else:
        lines.append("Admins are the user ids listed in <code>ADMIN_IDS</code>.")
    await reply(update, "\n".join(lines))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: what the bot does and its commands."""
    text = READER_HELP.format(name=html.escape(publisher_name(context)))
    if get_services(context).is_admin(user_id(update)):
        text += ADMIN_HELP
    await reply(update, text)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command we do not know."""
    command = ""
    if update.effective_message and update.effective_message.text:
        command = update.effective_message.text.split()[0]
    await reply(update, f"I don't know {html.escape(command)}. Send /help to see what I can do.")


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Button data no feature handles (forged, or from an old version): answer it anyway."""
    # An unanswered callback query leaves the button's spinner turning on the user's screen.
    if update.callback_query is not None:
        await update.callback_query.answer(EXPIRED)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log any failure and tell the user something went wrong instead of staying silent."""
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer("Sorry, something went wrong. Please try again.")
        elif update.effective_message is not None:
            await reply(update, "Sorry, something went wrong on our side. Please try again.")
    except Exception:
        log.exception("could not tell the user about the failure")


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Register /help, /id and the error handler."""
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("id", id_command))
    app.add_error_handler(error_handler)


def register_fallback(app: Application) -> None:  # type: ignore[type-arg]
    """Register the unknown-command and unknown-button answers; must come after the rest."""
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(CallbackQueryHandler(unknown_button))
