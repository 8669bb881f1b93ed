"""Content longer than one message, split into several that each fit: the daily digest at
article boundaries, lists of lines at line boundaries."""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.i18n import _
from bot.services.text.formatting import (
    MESSAGE_LIMIT,
    SUMMARY_CAP,
    escape,
    headline,
    one_line,
    safe_url,
    summary_text,
    telegram_len,
    truncate,
    visible_len,
)
from storage.models import Article

_DIGEST_TITLE_CAP = 256
_LABEL_CAP = 64


def _digest_block(number: int, article: Article, room: int) -> str:
    """One numbered digest entry that fits in room visible units."""
    prefix = f"{number}. "
    title = headline(article)
    title = truncate(title, min(_DIGEST_TITLE_CAP, room - len(prefix)))
    summary_room = room - len(prefix) - telegram_len(title) - 1
    summary = truncate(summary_text(article), min(SUMMARY_CAP, summary_room))
    heading = escape(title)
    url = safe_url(article.url)
    if url:
        heading = f'<a href="{html.escape(url, quote=True)}">{heading}</a>'
    block = f"{prefix}<b>{heading}</b>"
    return f"{block}\n{escape(summary)}" if summary else block


def render_digest_parts(
    articles: Sequence[Article], *, date_label: str
) -> list[tuple[str, list[int]]]:
    """The digest's messages, each with the ids of the articles it lists.

    Messages break only between articles; continuation messages start with "(continued)".
    Entries carry no dates, so no time zone is needed (date_label is the reader's day).
    """
    if not articles:
        return []
    label = escape(truncate(one_line(date_label), _LABEL_CAP))
    suffix = f" · {label}" if label else ""
    headers = (_("<b>Your daily digest</b>") + suffix, _("(continued)") + suffix)
    # Every entry must fit under either header on a message of its own.
    room = MESSAGE_LIMIT - max(visible_len(header) for header in headers) - 2
    messages: list[tuple[str, list[int]]] = []
    ids: list[int] = []
    current, used = headers[0], visible_len(headers[0])
    for number, article in enumerate(articles, start=1):
        block = _digest_block(number, article, room)
        size = visible_len(block) + 2
        if used + size > MESSAGE_LIMIT:
            messages.append((current, ids))
            current, used, ids = headers[1], visible_len(headers[1]), []
        current += "\n\n" + block
        used += size
        ids.append(article.id)
    messages.append((current, ids))
    return messages


def pack_lines(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Group HTML lines (each well under the limit) into as few messages as fit `limit`."""
    messages: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        size = visible_len(line) + 1
        if current and used + size > limit:
            messages.append("\n".join(current))
            current, used = [], 0
        current.append(line)
        used += size
    if current:
        messages.append("\n".join(current))
    return messages
