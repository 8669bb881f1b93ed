"""Comments: replies to article messages, the Comment prompt, /comments and paged lists."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from telegram import ForceReply, Message, Update, User
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handlers.replies import (
    callback_is_genuine,
    edit_query_message,
    message_clues,
    reply,
    sent_by_bot,
)
from bot.i18n import N_, _
from bot.services.messaging.callback_data import (
    COMMENT_BUTTONS,
    CommentPage,
    ListComments,
    WriteComment,
    parse_any,
)
from bot.services.messaging.notifier import EXPIRED
from bot.services.readers.comments import MAX_LENGTH, CommentService
from bot.services.text.formatting import button_title, escape
from bot.telegram_adapter.context import BotApplication, BotContext
from bot.telegram_adapter.notifier import to_markup

HINT = N_("Reply to an article to comment on it. Send /help to see what else I can do.")
NOT_ARTICLE = N_("That message isn't an article. Reply to an article message to comment on it.")
DIGEST = N_(
    "This digest lists several articles. Tap an article's button below the digest to open "
    "it, then reply to that message to comment."
)
MEDIA_ONLY = N_(
    "Stickers, photos and other media can't be comments on their own. "
    "Reply with some text (or add a caption)."
)
COMMENTS_USAGE = N_(
    "Reply to an article with /comments, or send <code>/comments &lt;id&gt;</code>."
)
PROMPT_WAIT = 10.0  # seconds a reply waits for a prompt being recorded (bounded by the send)


async def _zone(context: BotContext, chat_id: int) -> ZoneInfo:
    services = context.services
    sub = await services.subscriptions.get(chat_id)
    return ZoneInfo(sub.timezone) if sub else services.settings.timezone


async def on_reply(update: Update, context: BotContext) -> None:
    """A reply: to an article (or a Comment prompt) it is a comment; otherwise a hint."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or message.reply_to_message is None:
        return
    replied = message.reply_to_message
    if not sent_by_bot(replied, context):
        if chat.type == ChatType.PRIVATE:
            await reply(update, _(HINT))
        return  # in groups people reply to each other all the time
    service, shown = context.services.comments, context.services.shown
    prompts = service.prompts_in_flight
    # Checked before the lookup: a prompt recorded in between is then found by the retry.
    prompting = prompts.busy(chat.id)
    clues = message_clues(replied)
    target = await shown.target(chat.id, replied.message_id, clues)
    if target.kind == "other" and prompting:
        await prompts.settled(chat.id)
        target = await shown.target(chat.id, replied.message_id, clues)
    if target.kind == "digest":
        await reply(update, _(DIGEST))
        return
    if target.article_id is None:
        await reply(update, _(NOT_ARTICLE))
        return
    text = message.text if message.text is not None else message.caption
    if text is None:
        await reply(update, _(MEDIA_ONLY))
        return
    outcome = await service.submit(
        target.article_id, chat.id, message.message_id, user.id, user.full_name, text
    )
    await reply(update, outcome.text)


async def on_plain_text(update: Update, context: BotContext) -> None:
    """Plain text in a private chat that is not a reply: say how commenting works."""
    await reply(update, _(HINT))


async def comments_command(update: Update, context: BotContext) -> None:
    """/comments as a reply to an article, or /comments <id>."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    service = context.services.comments
    args = context.args or []
    article_id: int | None = None
    if args:
        if len(args) != 1 or not args[0].isdigit():
            await reply(
                update,
                _("{given} is not an article id.").format(
                    given=html.escape(repr(" ".join(args)[:64]))
                )
                + " "
                + _(COMMENTS_USAGE),
            )
            return
        article_id = int(args[0])
    elif message.reply_to_message is not None:
        replied = message.reply_to_message
        clues = message_clues(replied) if sent_by_bot(replied, context) else None
        target = await context.services.shown.target(chat.id, replied.message_id, clues)
        if target.kind == "digest":
            await reply(update, _(DIGEST))
            return
        article_id = target.article_id
    if article_id is None:
        await reply(update, _(COMMENTS_USAGE))
        return
    article = await service.commentable(article_id)
    if article is None:
        await reply(update, _("There is no published article #{id}.").format(id=article_id))
        return
    await context.services.engagement.comments_opened(article.id)
    listing = await service.listing(article, 0, await _zone(context, chat.id))
    await message.reply_text(
        listing.text, parse_mode=ParseMode.HTML, reply_markup=to_markup(listing.keyboard)
    )


async def comment_button(update: Update, context: BotContext) -> None:
    """Comment, Comments and the ◀ ▶ page buttons."""
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
        await query.answer(_(EXPIRED))
        return
    article_id = button.article_id
    service = context.services.comments
    article = await service.commentable(article_id)
    # Comment buttons sit on article messages: the message must show that very article.
    on_article = isinstance(button, CommentPage) or await context.services.shown.shows(
        chat.id, message.message_id, article_id, message_clues(message)
    )
    if article is None or not on_article:
        await query.answer(_(EXPIRED))
        return
    if not isinstance(button, CommentPage):  # paging a list already opened is no new open
        await context.services.engagement.comments_opened(article_id)
    if isinstance(button, WriteComment):
        await query.answer()
        async with service.prompts_in_flight.sending(chat.id):
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
    text = _(
        "💬 {who}write your comment on <b>{title}</b> as a reply to this message "
        "(up to {limit} characters)."
    ).format(who=who, title=escape(button_title(title, 80)), limit=MAX_LENGTH)
    sent = await message.reply_text(
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=ForceReply(selective=True, input_field_placeholder=_("Your comment")),
    )
    # Stored in SQLite, so a reply to the prompt is still understood after a restart.
    await service.record_prompt(message.chat.id, sent.message_id, article_id, user.id)


def register(app: BotApplication) -> None:
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
