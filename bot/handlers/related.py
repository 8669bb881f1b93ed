"""Related reading: the `ra:<id>` buttons (related and digest) and /related."""

from __future__ import annotations

import html

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.handlers.replies import callback_is_genuine, message_clues, reply, sent_by_bot
from bot.i18n import N_, _
from bot.services.messaging.callback_data import OpenArticle
from bot.services.messaging.notifier import EXPIRED, SendError
from bot.services.readers.related import SHOWN
from bot.services.text.formatting import button_title, escape
from bot.telegram_adapter.context import BotApplication, BotContext
from storage.related import RelatedArticle

RELATED_USAGE = N_("Reply to an article with /related to see related reading.")
DIGEST_RELATED = N_(
    "This digest lists several articles. Tap an article's button below the digest to open "
    "it, then reply to that message with /related."
)


def _link(item: RelatedArticle) -> str:
    title = escape(button_title(item.title, 120))
    url = (item.url or "").strip()
    if url.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in url):
        return f'<a href="{html.escape(url, quote=True)}">{title}</a>'
    return title


def related_text(title: str, items: list[RelatedArticle]) -> str:
    """The /related answer: a numbered list of links."""
    head = _("📰 <b>You may also like</b> — related to <i>{title}</i>").format(
        title=escape(button_title(title, 80))
    )
    if not items:
        return f"{head}\n\n" + _("Nothing related in our archive yet.")
    lines = [f"{i}. {_link(item)}" for i, item in enumerate(items, start=1)]
    return "\n".join([head, "", *lines])


async def related_command(update: Update, context: BotContext) -> None:
    """/related as a reply to an article message."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if message.reply_to_message is None:
        await reply(update, _(RELATED_USAGE))
        return
    services = context.services
    replied = message.reply_to_message
    clues = message_clues(replied) if sent_by_bot(replied, context) else None
    target = await services.shown.target(chat.id, replied.message_id, clues)
    if target.kind == "digest":
        await reply(update, _(DIGEST_RELATED))
        return
    article = await services.comments.commentable(target.article_id) if target.article_id else None
    if article is None:
        await reply(update, _("That message isn't a published article.") + " " + _(RELATED_USAGE))
        return
    items = await services.related.related(article.id, SHOWN)
    await reply(update, related_text(article.title, items))


async def open_article(update: Update, context: BotContext) -> None:
    """`ra:<id>`: send that article as deliveries look, with its own buttons."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or query.data is None:
        return
    button = OpenArticle.parse(query.data)
    message = query.message
    services = context.services
    genuine = (
        button is not None
        and isinstance(message, Message)
        # Only the bot puts `ra:` buttons on its messages (article and digest messages; their
        # records may have been pruned since), so a button that is on the message is genuine.
        and callback_is_genuine(query)
    )
    if button is None or not isinstance(message, Message) or not genuine:
        await query.answer(_(EXPIRED))
        return
    # Counted under the article whose suggestion it was (digest buttons are not suggestions).
    await services.engagement.related_tapped(chat.id, message.message_id)
    try:
        sent = await services.shown.open(button.article_id, chat.id)
    except SendError:
        await query.answer(_("Sorry, I couldn't send that article. Please try again."))
        return
    await query.answer(None if sent else _("That article is no longer available."))


def register(app: BotApplication) -> None:
    """Register /related and the article buttons."""
    app.add_handler(CommandHandler("related", related_command))
    app.add_handler(CallbackQueryHandler(open_article, pattern=OpenArticle.pattern()))
