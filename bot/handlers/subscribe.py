"""/stop, and the chat-status updates that keep subscriptions right (/start is start.py,
/settings settings.py)."""

from __future__ import annotations

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.handlers.permissions import may_manage_chat
from bot.handlers.replies import reply
from bot.i18n import N_, _
from bot.telegram_adapter.context import BotApplication, BotContext

WELCOME = N_(
    "👋 <b>Welcome to {name}!</b> You are subscribed: each new article will arrive here as it is "
    "published, with related reading underneath.\n\n"
    "• /settings — get one daily digest instead, set your time zone, pick topics\n"
    "• Reply to an article to leave a comment\n"
    "• /stop — unsubscribe at any time"
)


def chat_name(update: Update) -> str:
    """The chat's title or its person's name, for the subscription record."""
    chat = update.effective_chat
    if chat is None:
        return ""
    return chat.title or chat.full_name or chat.username or ""


async def stop(update: Update, context: BotContext) -> None:
    """/stop and /unsubscribe: no more deliveries, nothing left pending."""
    chat = update.effective_chat
    if chat is None or not await may_manage_chat(update, context):
        return
    if await context.services.subscriptions.unsubscribe(chat.id):
        await reply(
            update,
            _(
                "You are unsubscribed and will get no more articles. "
                "Send /start to come back any time."
            ),
        )
    else:
        await reply(update, _("You are not subscribed. Send /start to subscribe."))


async def chat_member(update: Update, context: BotContext) -> None:
    """The bot was blocked, removed, unblocked or re-added in a chat."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    subs = context.services.subscriptions
    status = change.new_chat_member.status
    if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
        await subs.mark_unreachable(change.chat.id, "bot was blocked or removed from the chat")
    elif status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
        await subs.mark_reachable(change.chat.id)


async def migrated(update: Update, context: BotContext) -> None:
    """A group became a supergroup: keep its subscription under the new id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    await context.services.subscriptions.migrate(message.chat.id, message.migrate_to_chat_id)


def register(app: BotApplication) -> None:
    """Register subscription handlers."""
    app.add_handler(CommandHandler(["stop", "unsubscribe"], stop))
    app.add_handler(ChatMemberHandler(chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated))
