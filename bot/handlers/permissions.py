"""Who may do what: admin commands and buttons, and changing a group's subscription."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.handlers.replies import reply, user_id
from bot.i18n import N_, _
from bot.telegram_adapter.context import BotContext

log = logging.getLogger(__name__)


def refusal_text(uid: int | None) -> str:
    """The answer to a non-admin's admin command: their id and where admins are configured."""
    if uid is None:
        return _("Sorry, only the publisher's admins can use that command.")
    return _(
        "Sorry, only the publisher's admins can use that command.\n"
        "Your Telegram user id is <code>{id}</code>. If you run this bot, add it to "
        "<code>ADMIN_IDS</code> in its settings (.env) and restart it."
    ).format(id=uid)


async def require_admin(update: Update, context: BotContext) -> bool:
    """True for admins; everyone else gets a polite refusal with their id (and it is logged)."""
    uid = user_id(update)
    if context.services.is_admin(uid):
        return True
    what = _attempt(update)
    log.warning("refused %s from user id %s (not in ADMIN_IDS)", what, uid)
    if update.callback_query is not None:
        await update.callback_query.answer(
            _(
                "Only the publisher's admins can do that (your user id: {id}; see ADMIN_IDS)."
            ).format(id=uid)
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
NOT_GROUP_ADMIN = N_("Only this group's admins can change its subscription.")
RIGHTS_UNKNOWN = N_("I couldn't check your admin rights just now. Please try again in a minute.")


async def may_manage_chat(update: Update, context: BotContext) -> bool:
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
        await update.callback_query.answer(_(answer), show_alert=True)
    else:
        await reply(update, _(answer))
    return False
