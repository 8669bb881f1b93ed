"""Related reading: the `ra:<id>` buttons (related and digest) and /related."""

from __future__ import annotations

import html

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.handlers.comments import DIGEST, callback_is_genuine, comment_service, message_clues
from bot.handlers.common import get_services, reply
from bot.services.messaging.callback_data import OpenArticle
from bot.services.messaging.notifier import EXPIRED, SendError
from bot.services.readers.buttons import send_article
from bot.services.readers.related import SHOWN, RelatedService
from bot.services.text.formatting import button_title, escape
from storage.related import RelatedArticle

RELATED_USAGE = "Reply to an article with /related to see related reading."


def related_service(context: ContextTypes.DEFAULT_TYPE) -> RelatedService:
    """The related-articles service built by build_services."""
    return get_services(context).related


def _link(item: RelatedArticle) -> str:
    title = escape(button_title(item.title, 120))
    url = (item.url or "").strip()
    if url.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in url):
        return f'<a href="{html.escape(url, quote=True)}">{title}</a>'
    return title


def related_text(title: str, items: list[RelatedArticle]) -> str:
    """The /related answer: a numbered list of links."""
    head = f"📰 <b>You may also like</b> — related to <i>{escape(button_title(title, 80))}</i>"
    if not items:
        return f"{head}\n\nNothing related in our archive yet."
    lines = [f"{i}. {_link(item)}" for i, item in enumerate(items, start=1)]
    return "\n".join([head, "", *lines])


async def related_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/related as a reply to an article message."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if message.reply_to_message is None:
        await reply(update, RELATED_USAGE)
        return
    comments = comment_service(context)
    replied = message.reply_to_message
    bot_sent = replied.from_user is not None and replied.from_user.id == context.bot.id
    clues = message_clues(replied) if bot_sent else None
    target = await comments.target(chat.id, replied.message_id, clues)
    if target.kind == "digest":
        await reply(update, DIGEST.replace("to comment", "with /related"))
        return
    article = await comments.commentable(target.article_id) if target.article_id else None
    if article is None:
        await reply(update, "That message isn't a published article. " + RELATED_USAGE)
        return
    items = await related_service(context).related(article.id, SHOWN)
    await reply(update, related_text(article.title, items))


async def open_article(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`ra:<id>`: send that article as deliveries look, with its own buttons."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or query.data is None:
        return
    button = OpenArticle.parse(query.data)
    message = query.message
    services = get_services(context)
    genuine = (
        button is not None
        and isinstance(message, Message)
        # Only the bot puts `ra:` buttons on its messages (article and digest messages; their
        # records may have been pruned since), so a button that is on the message is genuine.
        and callback_is_genuine(query)
    )
    if button is None or not isinstance(message, Message) or not genuine:
        await query.answer(EXPIRED)
        return
    # Counted under the article whose suggestion it was (digest buttons are not suggestions).
    await services.engagement.related_tapped(chat.id, message.message_id)
    try:
        sent = await send_article(
            services.composer,
            services.notifier,
            services.deliveries,
            services.clock,
            button.article_id,
            chat.id,
        )
    except SendError:
        await query.answer("Sorry, I couldn't send that article. Please try again.")
        return
    await query.answer(None if sent else "That article is no longer available.")


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Register /related and the article buttons."""
    app.add_handler(CommandHandler("related", related_command))
    app.add_handler(CallbackQueryHandler(open_article, pattern=OpenArticle.pattern()))
