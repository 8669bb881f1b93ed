"""Deep links (t.me/<bot>?start=PAYLOAD): where a reader came from and what they asked for.

Telegram allows only A-Z, a-z, 0-9, _ and - (at most 64) in a start payload; anything else,
or a payload of no known form, is a plain /start (the reader is subscribed, no error)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.services.text.tags import normalize_tag

_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MAX_ID_DIGITS = 18  # stays below SQLite's 64-bit integer limit


@dataclass(frozen=True)
class StartLink:
    """What a /start payload asks for; `source` is what statistics record."""

    source: str = ""
    article_id: int | None = None
    tag: str | None = None


def parse_start(payload: str | None) -> StartLink:
    """`src-<campaign>`, `a-<article id>` or `t-<tag>`; anything else is a plain start."""
    if not payload or not _PAYLOAD.fullmatch(payload):
        return StartLink()
    kind, _, value = payload.partition("-")
    if kind == "src" and value:
        return StartLink(source=value)
    if kind == "a" and value.isdigit() and len(value) <= _MAX_ID_DIGITS and int(value) > 0:
        return StartLink(source=f"a-{int(value)}", article_id=int(value))
    tag = normalize_tag(value) if kind == "t" else ""
    if tag:
        return StartLink(source=f"t-{tag}", tag=tag)
    return StartLink()


def start_link(bot_username: str, payload: str) -> str:
    """The t.me link that opens the bot with this start payload."""
    return f"https://t.me/{bot_username}?start={payload}"


def article_link(bot_username: str, article_id: int) -> str:
    """The link that subscribes a reader and sends them this article."""
    return start_link(bot_username, f"a-{article_id}")
