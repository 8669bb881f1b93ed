"""Finding articles: /search in a private chat, `@bot words` inline in any chat, and the
`sr:<id>` buttons of search results."""

from __future__ import annotations

import html

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
)

from bot.handlers.replies import callback_is_genuine, reply
from bot.i18n import N_, _, ngettext
from bot.services.engagement.deeplinks import article_link
from bot.services.messaging.callback_data import OpenSearchResult
from bot.services.messaging.notifier import EXPIRED, Button, SendError
from bot.services.text.formatting import button_title, escape, render_article, truncate
from bot.telegram_adapter.context import BotApplication, BotContext
from bot.telegram_adapter.notifier import to_markup
from storage.models import Article

SEARCH_RESULTS = 8
INLINE_RESULTS = 20  # Telegram takes at most 50
INLINE_CACHE_SECONDS = 30
SEARCH_USAGE = N_(
    "Send <code>/search words</code> to find our articles, e.g. <code>/search tram</code>."
)
PRIVATE_ONLY = N_(
    "Search works in a private chat with me. In any chat, type @{bot} and some words."
)


async def search_command(update: Update, context: BotContext) -> None:
    """/search words: matching articles as buttons that open them."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    if chat.type != ChatType.PRIVATE:
        await reply(update, _(PRIVATE_ONLY).format(bot=html.escape(context.bot.username)))
        return
    words = " ".join(context.args or [])
    if not words.strip():
        await reply(update, _(SEARCH_USAGE))
        return
    found = await context.services.search.find(words, SEARCH_RESULTS)
    shown = escape(button_title(words, 60))
    if not found:
        await reply(
            update,
            _("🔎 Nothing found for <b>{words}</b>. Try other or fewer words.").format(
                words=shown
            ),
        )
        return
    buttons = tuple(
        (Button(f"📰 {button_title(a.title, 56)}", OpenSearchResult(a.id).pack()),) for a in found
    )
    await message.reply_text(
        ngettext(
            "🔎 <b>{words}</b>: {n} article. Tap it to read it.",
            "🔎 <b>{words}</b>: {n} articles. Tap one to read it.",
            len(found),
        ).format(words=shown, n=len(found)),
        parse_mode=ParseMode.HTML,
        reply_markup=to_markup(buttons),
    )


async def open_result(update: Update, context: BotContext) -> None:
    """`sr:<id>`: send the article, as deliveries look."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or query.data is None:
        return
    button = OpenSearchResult.parse(query.data)
    if button is None or not isinstance(query.message, Message) or not callback_is_genuine(query):
        await query.answer(_(EXPIRED))
        return
    services = context.services
    try:
        sent = await services.shown.open(button.article_id, chat.id)
    except SendError:
        await query.answer(_("Sorry, I couldn't send that article. Please try again."))
        return
    await query.answer(None if sent else _("That article is no longer available."))


def _result(article: Article, bot_username: str, context: BotContext) -> InlineQueryResultArticle:
    services = context.services
    text = render_article(article, tz=services.settings.timezone)
    subscribe = InlineKeyboardButton(_("📬 Subscribe"), url=article_link(bot_username, article.id))
    url = (article.url or "").strip()
    if not url.lower().startswith(("https://", "http://")) or any(c.isspace() for c in url):
        url = ""
    return InlineQueryResultArticle(
        id=f"a{article.id}",
        title=button_title(article.title, 100) or _("Untitled"),
        description=truncate(" ".join(article.summary.split()), 200) or None,
        input_message_content=InputTextMessageContent(
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(
                is_disabled=not (article.link_preview and url), url=url or None
            ),
        ),
        reply_markup=InlineKeyboardMarkup([[subscribe]]),
    )


async def inline_query(update: Update, context: BotContext) -> None:
    """`@bot words` in any chat: matching articles (the latest for an empty query), each
    shared with its summary and a Subscribe button that is a deep link."""
    query = update.inline_query
    if query is None:
        return
    search = context.services.search
    words = query.query.strip()
    found = (
        await search.find(words, INLINE_RESULTS) if words else await search.latest(INLINE_RESULTS)
    )
    username = context.bot.username
    await query.answer(
        [_result(a, username, context) for a in found],
        cache_time=INLINE_CACHE_SECONDS,
        # The Subscribe button and the byline are in the asker's language: not shared.
        is_personal=True,
    )


def register(app: BotApplication) -> None:
    """Register /search, its result buttons and inline queries."""
    app.add_handler(CommandHandler("search", search_command))
    app.add_handler(CallbackQueryHandler(open_result, pattern=OpenSearchResult.pattern()))
    app.add_handler(InlineQueryHandler(inline_query))
