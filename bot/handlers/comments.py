"""Comments: replies to article messages, the Comment prompt, /comments and paged lists."""

from __future__ import annotations

import asyncio
import contextlib
import html
from collections import Counter
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, ForceReply, Message, Update, User
from telegram.constants import ChatType, MessageEntityType, ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.handlers.common import edit_query_message, get_services, reply
from bot.services.messaging.callback_data import (
    COMMENT_BUTTONS,
    CommentPage,
    ListComments,
    WriteComment,
    parse_any,
)
from bot.services.messaging.notifier import EXPIRED
from bot.services.readers.comments import MAX_LENGTH, CommentService
from bot.services.readers.reply_targets import MessageClues
from bot.services.text.formatting import button_title, escape
from bot.telegram_adapter.notifier import to_markup

HINT = "Reply to an article to comment on it. Send /help to see what else I can do."
NOT_ARTICLE = "That message isn't an article. Reply to an article message to comment on it."
DIGEST = (
    "This digest lists several articles. Tap an article's button below the digest to open "
    "it, then reply to that message to comment."
)
MEDIA_ONLY = (
    "Stickers, photos and other media can't be comments on their own. "
    "Reply with some text (or add a caption)."
)
COMMENTS_USAGE = "Reply to an article with /comments, or send <code>/comments &lt;id&gt;</code>."
PROMPT_WAIT = 10.0  # seconds a reply waits for a prompt being recorded (bounded by the send)


class PromptsInFlight:
    """Chats where a Comment prompt was sent but is not yet recorded in SQLite.

    The prompt's message id exists only once Telegram has accepted it, so the record follows
    the send; a quick reply (or a busy database) can arrive in between and must wait for
    the record instead of being told that the prompt is not an article."""

    def __init__(self) -> None:
        self._sending: Counter[int] = Counter()
        self._changed = asyncio.Condition()

    def busy(self, chat_id: int) -> bool:
        """Whether a prompt in this chat is between being sent and being recorded."""
        return self._sending[chat_id] > 0

    @contextlib.asynccontextmanager
    async def sending(self, chat_id: int) -> AsyncIterator[None]:
        """Wrap sending and recording one prompt."""
        self._sending[chat_id] += 1
        try:
            yield
        finally:
            self._sending[chat_id] -= 1
            if self._sending[chat_id] <= 0:
                del self._sending[chat_id]
            async with self._changed:
                self._changed.notify_all()

    async def settled(self, chat_id: int) -> None:
        """Wait (at most PROMPT_WAIT) until no prompt in this chat is in flight."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: not self.busy(chat_id)), PROMPT_WAIT
                )


def prompts_in_flight(context: ContextTypes.DEFAULT_TYPE) -> PromptsInFlight:
    """The application's one PromptsInFlight."""
    found = context.bot_data.setdefault("comment_prompts", PromptsInFlight())
    assert isinstance(found, PromptsInFlight)  # noqa: S101 - only this module sets it
    return found


def comment_service(context: ContextTypes.DEFAULT_TYPE) -> CommentService:
    """The comment service built by build_services."""
    return get_services(context).comments


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


async def _zone(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> ZoneInfo:
    services = get_services(context)
    sub = await services.subscriptions.get(chat_id)
    return ZoneInfo(sub.timezone) if sub else services.settings.timezone


def _from_bot(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the bot sent this message (Telegram sets `from`; nobody can send as the bot)."""
    return message.from_user is not None and message.from_user.id == context.bot.id


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply: to an article (or a Comment prompt) it is a comment; otherwise a hint."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or message.reply_to_message is None:
        return
    replied = message.reply_to_message
    if not _from_bot(replied, context):
        if chat.type == ChatType.PRIVATE:
            await reply(update, HINT)
        return  # in groups people reply to each other all the time
    service = comment_service(context)
    prompts = prompts_in_flight(context)
    # Checked before the lookup: a prompt recorded in between is then found by the retry.
    prompting = prompts.busy(chat.id)
    clues = message_clues(replied)
    target = await service.target(chat.id, replied.message_id, clues)
    if target.kind == "other" and prompting:
        await prompts.settled(chat.id)
        target = await service.target(chat.id, replied.message_id, clues)
    if target.kind == "digest":
        await reply(update, DIGEST)
        return
    if target.article_id is None:
        await reply(update, NOT_ARTICLE)
        return
    text = message.text if message.text is not None else message.caption
    if text is None:
        await reply(update, MEDIA_ONLY)
        return
    outcome = await service.submit(
        target.article_id, chat.id, message.message_id, user.id, user.full_name, text
    )
    await reply(update, outcome.text)


async def on_plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat that is not a reply: say how commenting works."""
    await reply(update, HINT)


async def comments_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/comments as a reply to an article, or /comments <id>."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    service = comment_service(context)
    args = context.args or []
    article_id: int | None = None
    if args:
        if len(args) != 1 or not args[0].isdigit():
            await reply(
                update,
                f"{html.escape(' '.join(args)[:64])!r} is not an article id. " + COMMENTS_USAGE,
            )
            return
        article_id = int(args[0])
    elif message.reply_to_message is not None:
        replied = message.reply_to_message
        clues = message_clues(replied) if _from_bot(replied, context) else None
        target = await service.target(chat.id, replied.message_id, clues)
        if target.kind == "digest":
            await reply(update, DIGEST)
            return
        article_id = target.article_id
    if article_id is None:
        await reply(update, COMMENTS_USAGE)
        return
    article = await service.commentable(article_id)
    if article is None:
        await reply(update, f"There is no published article #{article_id}.")
        return
    await get_services(context).engagement.comments_opened(article.id)
    listing = await service.listing(article, 0, await _zone(context, chat.id))
    await message.reply_text(
        listing.text, parse_mode=ParseMode.HTML, reply_markup=to_markup(listing.keyboard)
    )


async def comment_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Comment, Comments (N) and the ◀ ▶ page buttons."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None or query.data is None:
        return
    button = parse_any(query.data, COMMENT_BUTTONS)
    message = query.message
    if (
        not isinstance(button, WriteComment | ListComments | CommentPage)
        or not isinstance(message, Message)
        or not callback_is_genuine(query)
    ):
        await query.answer(EXPIRED)
        return
    article_id = button.article_id
    service = comment_service(context)
    article = await service.commentable(article_id)
    # Comment buttons sit on article messages: the message must show that very article.
    on_article = isinstance(button, CommentPage) or await service.shown_in(
        chat.id, message.message_id, article_id, message_clues(message)
    )
    if article is None or not on_article:
        await query.answer(EXPIRED)
        return
    if not isinstance(button, CommentPage):  # paging a list already opened is no new open
        await get_services(context).engagement.comments_opened(article_id)
    if isinstance(button, WriteComment):
        await query.answer()
        async with prompts_in_flight(context).sending(chat.id):
            await _prompt(service, message, article_id, article.title, user)
        return
    page = button.page if isinstance(button, CommentPage) else 0
    listing = await service.listing(article, page, await _zone(context, chat.id))
    await query.answer()
    if isinstance(button, ListComments):
        await message.reply_text(
            listing.text, parse_mode=ParseMode.HTML, reply_markup=to_markup(listing.keyboard)
        )
    else:
        await edit_query_message(query, listing.text, to_markup(listing.keyboard))


async def _prompt(
    service: CommentService, message: Message, article_id: int, title: str, user: User
) -> None:
    """Ask for the comment with a ForceReply prompt and remember what it is about."""
    who = ""
    if message.chat.type != ChatType.PRIVATE:
        who = f'<a href="tg://user?id={user.id}">{escape(button_title(user.full_name, 32))}</a>, '
    text = (
        f"💬 {who}write your comment on <b>{escape(button_title(title, 80))}</b> as a reply "
        f"to this message (up to {MAX_LENGTH} characters)."
    )
    sent = await message.reply_text(
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=ForceReply(selective=True, input_field_placeholder="Your comment"),
    )
    # Stored in SQLite, so a reply to the prompt is still understood after a restart.
    await service.record_prompt(message.chat.id, sent.message_id, article_id, user.id)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Register comment handlers (the reply catch-all must come after other features)."""
    app.add_handler(CommandHandler("comments", comments_command))
    app.add_handler(CallbackQueryHandler(comment_button, pattern=WriteComment.pattern()))
    not_command = ~filters.COMMAND & ~filters.CaptionRegex(r"^/")
    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.REPLY & not_command, on_reply)
    )
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.ChatType.PRIVATE
            & filters.TEXT
            & ~filters.REPLY
            & not_command,
            on_plain_text,
        )
    )
