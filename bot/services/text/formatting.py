"""Render articles as Telegram HTML that always parses and always fits (digests and other
messages split in several: `multipart`).

Everything that comes from outside (titles, bodies, authors, URLs, tags) is cleaned of control
characters and lone surrogates, shortened as plain text and only then escaped, so an entity is
never cut in half.  Lengths are counted in UTF-16 code units, the unit Telegram's limits use.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, _
from bot.services.text.sentences import split_sentences
from bot.services.text.tags import normalize_tag
from bot.services.text.timeutil import format_day
from storage.models import Article

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
SUMMARY_CAP = 900  # keeps the usual message under ~1000 visible characters
TITLE_LIMIT = 300  # headlines longer than this are cut when an article is stored
ELLIPSIS = "…"

_TITLE_MIN = 64  # the summary is shortened down to this before the title gives way
_SUMMARY_MIN = 256
_AUTHOR_CAP = 128
_TAG_CAP = 32
_TAGS_LINE_CAP = 256
_URL_CAP = 2048  # longer links are more likely junk than a real article address
_UNTITLED = N_("(untitled)")

# C0 controls other than \t and \n, DEL, and lone surrogates (they cannot be sent as UTF-8).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_SAFE_SCHEMES = ("http://", "https://", "tg://")
# Characters that belong to the previous one: cutting before them would mangle a grapheme.
_JOINERS = frozenset("\u200c\u200d\ufe0e\ufe0f")


_QUOTES = "\"'“”\u2018\u2019«»„"  # straight, curly double and single, guillemets


def telegram_len(plain: str) -> int:
    """Length of plain text in UTF-16 code units, as Telegram counts it."""
    return len(plain.encode("utf-16-le", "surrogatepass")) // 2


def visible_len(html_text: str) -> int:
    """Visible length of HTML produced by this module: tags dropped, entities decoded."""
    return telegram_len(html.unescape(_TAG.sub("", html_text)))


def clean(text: str) -> str:
    """Drop control characters (except tab and newline) and lone surrogates."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def escape(text: str) -> str:
    """Turn plain text into safe Telegram HTML text."""
    return html.escape(clean(text), quote=False)


def _is_attached(char: str) -> bool:
    """Whether a character is a combining mark, joiner or emoji modifier."""
    return (
        char in _JOINERS
        or "\U0001f3fb" <= char <= "\U0001f3ff"
        or unicodedata.category(char) in {"Mn", "Mc", "Me"}
    )


def _fit_index(text: str, budget: int) -> int:
    """Largest code-point index whose prefix fits in budget UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > budget:
            return index
    return len(text)


def truncate(text: str, limit: int) -> str:
    """Cut plain text at a word boundary to at most limit UTF-16 units, ending with "…"."""
    if telegram_len(text) <= limit:
        return text
    if limit < 1:
        return ""
    cut = _fit_index(text, limit - 1)
    # Step back so that combining marks and joiners stay with their base character.
    while cut > 0 and (_is_attached(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    if not text[cut].isspace():
        space = max(text.rfind(" ", 0, cut), text.rfind("\n", 0, cut))
        if space > cut // 2:  # only when it does not throw away most of the text
            cut = space
    return text[:cut].rstrip() + ELLIPSIS


def quoted(title: str) -> str:
    """A title in quotes for admin messages, unless it already opens or closes with one."""
    if title[:1] in _QUOTES or title[-1:] in _QUOTES:
        return title
    return f"“{title}”"


def button_title(title: str, limit: int = 48) -> str:
    """A one-line shortened title for an inline keyboard button."""
    line = _SPACES.sub(" ", clean(title)).strip()
    return truncate(line or _(_UNTITLED), limit)


def one_line(text: str | None) -> str:
    """Clean text and collapse all whitespace to single spaces."""
    return _SPACES.sub(" ", clean(text or "")).strip()


def safe_url(url: str | None) -> str | None:
    """The URL if it is a plausible link Telegram accepts, else None."""
    candidate = clean(url or "").strip()
    if not candidate or len(candidate) > _URL_CAP or _SPACES.search(candidate):
        return None
    lowered = candidate.lower()
    # A bare scheme ("https://") is not a link Telegram would accept.
    if any(lowered.startswith(scheme) and len(lowered) > len(scheme) for scheme in _SAFE_SCHEMES):
        return candidate
    return None


def _hashtags(tags: Sequence[str]) -> str:
    """Tags as "#word" hashtags, as many as fit on one short line."""
    words: list[str] = []
    used = 0
    for tag in tags:
        word = normalize_tag(clean(tag))
        word = word[:_TAG_CAP]
        if not word or f"#{word}" in words:
            continue
        if used + telegram_len(word) + 2 > _TAGS_LINE_CAP:
            break
        words.append(f"#{word}")
        used += telegram_len(word) + 2
    return " ".join(words)


def _date_text(moment: datetime, tz: ZoneInfo) -> str:
    """A date like "30 Nov 2026" in the given zone, independent of the locale."""
    try:
        return format_day(moment, tz)
    except (OverflowError, ValueError):  # year 1 or 9999 pushed out of range: show no date
        return ""


def _page_day(day: date) -> str:
    """A page's own date like "28 Nov 2022" (a date has no zone to convert)."""
    utc = ZoneInfo("UTC")
    return format_day(datetime(day.year, day.month, day.day, 12, tzinfo=utc), utc)


def _footer(article: Article, tz: ZoneInfo, now: datetime | None) -> list[str]:
    """HTML lines after the summary: byline, link and hashtags."""
    lines: list[str] = []
    author = truncate(one_line(article.author), _AUTHOR_CAP)
    moment = article.published_at or now or article.created_at
    # The page's own date, when it gives one, is the article's date; else when it came out here.
    day = _page_day(article.page_date) if article.page_date else _date_text(moment, tz)
    byline = " · ".join(
        part for part in (author and _("By {author}").format(author=author), day) if part
    )
    lines.append(f"<i>{escape(byline)}</i>")
    url = safe_url(article.url)
    if url:
        link = _('<a href="{url}">Read the full article</a>')
        lines.append(link.format(url=html.escape(url, quote=True)))
    tags = _hashtags(article.tags)
    if tags:
        lines.append(escape(tags))
    return lines


def headline(article: Article) -> str:
    """The article's title on one line, or "(untitled)"."""
    return one_line(article.title) or _(_UNTITLED)


def summary_text(article: Article) -> str:
    """The summary, or the start of the body when there is no summary."""
    summary = clean(article.summary).strip()
    if summary:
        return summary
    return truncate(clean(article.body).strip(), SUMMARY_CAP)


def render_article(
    article: Article, *, tz: ZoneInfo, now: datetime | None = None, limit: int = MESSAGE_LIMIT
) -> str:
    """One article as a Telegram HTML message of at most `limit` visible units (less than
    MESSAGE_LIMIT when something, such as a preview's header, goes above it).

    The date shown is the page's own date when known, else published_at; for an unpublished
    article it is now (the moment it is being sent) when given, else created_at.
    """
    footer = "\n".join(_footer(article, tz, now))
    title = headline(article)
    summary = summary_text(article)
    # Room for title and summary: the footer and the two blank lines come first.
    room = limit - visible_len(footer) - 4
    summary_room = max(min(_SUMMARY_MIN, telegram_len(summary)), room - telegram_len(title))
    summary = truncate(summary, min(SUMMARY_CAP, summary_room, room - _TITLE_MIN))
    title = truncate(title, room - telegram_len(summary))
    parts = [f"<b>{escape(title)}</b>"]
    if summary:
        parts.append(escape(summary))
    parts.append(footer)
    return "\n\n".join(parts)


def shorten_at_sentence(text: str, limit: int) -> str:
    """Plain text cut after the last whole sentence that fits in limit UTF-16 units (at a
    word boundary, with "…", when not even the first sentence fits)."""
    if telegram_len(text) <= limit:
        return text
    kept = ""
    for sentence in split_sentences(text):
        candidate = f"{kept} {sentence}" if kept else sentence
        if telegram_len(candidate) > limit:
            break
        kept = candidate
    return kept or truncate(text, limit)


def safe_image_url(article: Article) -> str | None:
    """The article's lead image if it is an http(s) link Telegram could fetch."""
    url = safe_url(article.image_url)
    return url if url and url.lower().startswith(("http://", "https://")) else None


def render_caption(
    article: Article, *, tz: ZoneInfo, now: datetime | None = None, limit: int = CAPTION_LIMIT
) -> str:
    """An article as a photo caption of at most `limit` visible units (CAPTION_LIMIT unless
    something goes above it): the title, the summary shortened at a sentence boundary, then
    the byline, link and hashtags."""
    footer = "\n".join(_footer(article, tz, now))
    room = limit - visible_len(footer) - 4
    title = headline(article)
    summary = summary_text(article)
    title = truncate(title, max(_TITLE_MIN, room - min(telegram_len(summary), _SUMMARY_MIN)))
    summary = shorten_at_sentence(summary, room - telegram_len(title))
    parts = [f"<b>{escape(title)}</b>"]
    if summary:
        parts.append(escape(summary))
    parts.append(footer)
    return "\n\n".join(parts)
