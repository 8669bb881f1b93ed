"""A chat's daily digest as messages: split at article boundaries, one button per article."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.messaging.callback_data import OpenArticle
from bot.services.messaging.notifier import Button, OutgoingMessage
from bot.services.text.formatting import button_title
from bot.services.text.multipart import render_digest_parts
from bot.services.text.timeutil import format_day
from storage.models import Article


def digest_messages(
    articles: Sequence[Article], chat_id: int, tz: ZoneInfo, now: datetime
) -> list[tuple[OutgoingMessage, list[int]]]:
    """The digest's messages, each with the ids of the articles it lists."""
    parts = []
    for text, article_ids in render_digest_parts(articles, date_label=format_day(now, tz)):
        # Each listed article gets a button that opens it with its own reader buttons.
        keyboard = tuple(
            (Button(f"{i}. {button_title(a.title, 40)}", OpenArticle(a.id).pack()),)
            for i, a in enumerate(articles, start=1)
            if a.id in article_ids
        )
        message = OutgoingMessage(
            chat_id=chat_id, text=text, keyboard=keyboard, disable_preview=True
        )
        parts.append((message, list(article_ids)))
    return parts
