"""How handlers answer: replies, edits of a button's message, and checks on pressed buttons."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageEntityType, ParseMode
from telegram.error import BadRequest

from bot.services.messaging.callback_data import ListComments, WriteComment
from bot.services.messaging.shown_articles import MessageClues
from bot.telegram_adapter.context import BotContext


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


def callback_is_genuine(query: CallbackQuery) -> bool:
    """Whether the pressed data is one of the buttons on the message it came from.

    Telegram sends the message as it is now, so data that is not on it was forged, or
    belongs to buttons that have since been replaced."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    return any(
        button.callback_data == query.data
        for row in message.reply_markup.inline_keyboard
        for button in row
    )


def publisher_name(context: BotContext) -> str:
    """The publisher's name for the bot's texts: BOT_NAME, else the bot's Telegram name."""
    return context.services.settings.bot_name or context.bot.first_name or "newsbot"


def sent_by_bot(message: Message, context: BotContext) -> bool:
    """Whether the bot sent this message (Telegram sets `from`; nobody can send as the bot)."""
    return message.from_user is not None and message.from_user.id == context.bot.id


def message_clues(message: Message) -> MessageClues:
    """The article ids in a bot message's Comment buttons and the links in its text (Telegram
    sends a replied-to or pressed message with its buttons, as the bot sent it)."""
    ids = {
        found.article_id
        for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
        for button in row
        if isinstance(button.callback_data, str)
        and (
            found := WriteComment.parse(button.callback_data)
            or ListComments.parse(button.callback_data)
        )
    }
    urls = tuple(
        entity.url
        for entity in (*message.entities, *message.caption_entities)
        if entity.type == MessageEntityType.TEXT_LINK and entity.url
    )
    return MessageClues(frozenset(ids), urls)
