"""The publisher's channel: the start-up check that the bot may post there, and readers'
replies in the channel's discussion group, which are comments on the article."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from telegram import ChatFullInfo, Message, MessageOriginChannel, Update
from telegram.error import TelegramError
from telegram.ext import MessageHandler, filters

from bot.container import Services
from bot.handlers.replies import reply
from bot.i18n import _
from bot.services.delivery.channel import CANNOT_SEE, ChannelTarget, channel_problem
from bot.services.messaging.notifier import OutgoingMessage, to_each_chat
from bot.services.text.formatting import escape
from bot.telegram_adapter.context import BotApplication, BotContext

log = logging.getLogger(__name__)


class _RepliesToChannelCopies(filters.MessageFilter):
    """Replies to a group's automatic copy of a channel post."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return replied is not None and bool(replied.is_automatic_forward)


async def _probe(app: BotApplication, ref: str) -> tuple[ChatFullInfo, str, dict[str, str]]:
    """The channel and why the bot cannot post there ("" when it can; a msgid and its
    values otherwise)."""
    chat_ref: int | str = int(ref) if ref.lstrip("-").isdigit() else ref
    chat = await app.bot.get_chat(chat_ref)
    member = await app.bot.get_chat_member(chat.id, app.bot.id)
    can_post = getattr(member, "can_post_messages", None)
    return chat, channel_problem(chat.type, member.status, can_post) or "", {"kind": chat.type}


async def connect_channel(app: BotApplication, services: Services) -> None:
    """Check CHANNEL_ID at start-up; post there only if the bot may, else say why (log and
    admins) and go on serving readers."""
    ref = services.settings.channel
    if ref is None:
        return
    try:
        chat, problem, values = await _probe(app, ref)
    except TelegramError as exc:
        problem, values = CANNOT_SEE, {"error": exc.message}
    else:
        if not problem:
            target = ChannelTarget(chat.id, chat.title or ref, chat.linked_chat_id)
            services.channel.enable(target)
            services.languages.fix(chat.id, services.settings.channel_language)
            log.info(
                "posting articles to channel %s (%s), discussion group %s",
                ref,
                chat.id,
                chat.linked_chat_id or "none",
            )
            return
    log.error("%s", _warning(ref, problem, values))  # the log is in English

    def warning(admin: int) -> Awaitable[int]:
        text = f"⚠️ {escape(_warning(ref, problem, values))}"
        return services.notifier.send(OutgoingMessage(admin, text, disable_preview=True))

    await to_each_chat(
        services.settings.admin_ids, warning, "the channel warning", services.languages.of
    )


def _warning(ref: str, problem: str, values: dict[str, str]) -> str:
    """The start-up warning about the channel, in the current language (plain text)."""
    return _(
        "CHANNEL_ID {channel}: {problem}. Articles are not posted there until that is fixed "
        "and the bot is restarted."
    ).format(channel=ref, problem=_(problem).format(**values))


async def on_discussion_reply(update: Update, context: BotContext) -> None:
    """A reply to the discussion group's copy of one of our channel posts is a comment."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or message.reply_to_message is None:
        return
    origin = message.reply_to_message.forward_origin
    if not isinstance(origin, MessageOriginChannel):
        return
    services = context.services
    article_id = await services.channel.article_of_copy(chat.id, origin.chat.id, origin.message_id)
    text = message.text if message.text is not None else message.caption
    if article_id is None or text is None:
        return  # another channel's post, or a sticker: people's chatter, not for the bot
    # Someone writing as a channel or anonymously as the group's admin is named by that chat.
    name = message.sender_chat.title if message.sender_chat else user.full_name
    outcome = await services.comments.submit(
        article_id, chat.id, message.message_id, user.id, name or "", text, source="discussion"
    )
    # Stored comments speak for themselves in the group; only a refusal is answered there.
    if not outcome.ok and not outcome.repeated:
        await reply(update, outcome.text)


def register(app: BotApplication) -> None:
    """Register the discussion-group comment handler (before the general reply handler)."""
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.ChatType.SUPERGROUP
            & _RepliesToChannelCopies()
            & ~filters.COMMAND,
            on_discussion_reply,
        )
    )
