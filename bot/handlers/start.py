"""/start, plain or from a deep link (t.me/<bot>?start=src-..., a-<id>, t-<tag>)."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import CommandHandler

from bot.container import Services
from bot.handlers.permissions import may_manage_chat
from bot.handlers.replies import publisher_name, reply
from bot.handlers.subscribe import WELCOME, chat_name
from bot.i18n import _, current_language
from bot.services.engagement.deeplinks import parse_start
from bot.services.messaging.notifier import SendError
from bot.telegram_adapter.context import BotApplication, BotContext

log = logging.getLogger(__name__)


async def start(update: Update, context: BotContext) -> None:
    """/start, optionally from a deep link: subscribe this chat (or resubscribe), then follow
    the link's topic or send its article. A payload we do not understand is ignored."""
    chat = update.effective_chat
    if chat is None or not await may_manage_chat(update, context):
        return
    services = context.services
    link = parse_start(context.args[0] if context.args else None)
    subs = services.subscriptions
    new_chat = await subs.get(chat.id) is None
    fresh = await subs.subscribe(
        chat.id, chat.type, chat_name(update), link.source, current_language()
    )
    services.languages.forget(chat.id)  # it has a stored language now: read it next time
    followed = link.tag is not None and await subs.follow_topic_from_link(
        chat.id, link.tag, new_chat
    )
    topic = ""
    if followed:
        topic = "\n\n" + _("You follow #{tag}.").format(tag=html.escape(link.tag or ""))
    if fresh:
        await reply(update, _(WELCOME).format(name=html.escape(publisher_name(context))) + topic)
    elif topic:
        await reply(update, topic.strip())
    elif link.article_id is None:
        await reply(
            update,
            _("You are already subscribed. /settings changes what you get, /stop unsubscribes."),
        )
    if link.article_id is not None:
        await _send_linked_article(services, link.article_id, chat.id)


async def _send_linked_article(services: Services, article_id: int, chat_id: int) -> None:
    """The article a shared link points to; a missing or withdrawn one is skipped quietly
    (the reader is subscribed all the same)."""
    try:
        await services.shown.open(article_id, chat_id)
    except SendError as exc:
        log.warning("could not send linked article %s to %s: %s", article_id, chat_id, exc)


def register(app: BotApplication) -> None:
    """Register /start."""
    app.add_handler(CommandHandler("start", start))
