"""Parse RSS and Atom documents into plain, typed entries."""

from __future__ import annotations

import calendar
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.services.ingest import problems
from bot.services.ingest.problems import describe
from bot.services.text.tags import normalize_tags
from storage.models import PageProblem

# Block-level tags become line breaks so that paragraphs do not run together.
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote"})


class FeedError(Exception):
    """The document is not a usable feed: `problem` says why as data; str() is that reason in
    the current language, a short explanation for the user."""

    def __init__(self, problem: PageProblem) -> None:
        self.problem = problem
        super().__init__(describe(problem))


@dataclass(frozen=True)
class FeedEntry:
    """One feed item; key is stable across polls (guid, else link, else a title hash)."""

    key: str
    link: str | None
    title: str
    summary: str
    published: datetime | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's title and its entries in document order."""

    title: str
    entries: tuple[FeedEntry, ...]


def parse_feed(data: bytes, url: str) -> ParsedFeed:
    """Parse RSS/Atom bytes fetched from url; raise FeedError if they are not a feed."""
    # Bytes, never str: feedparser treats a str as a URL or file name to open.
    parsed = feedparser.parse(bytes(data))
    feed_title = _text(parsed.get("feed", {}).get("title"))
    raw_entries = parsed.get("entries") or []
    if not raw_entries and (not parsed.get("version") or not feed_title):
        raise FeedError(PageProblem(problems.NOT_RSS_OR_ATOM))
    entries = tuple(_entry(raw, url) for raw in raw_entries)
    return ParsedFeed(title=feed_title or url, entries=entries)


def html_to_text(markup: str) -> str:
    """Strip tags and entities from an HTML fragment, keeping paragraph breaks."""
    stripper = _Stripper()
    stripper.feed(markup)
    stripper.close()
    lines = (" ".join(line.split()) for line in "".join(stripper.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _entry(raw: Any, feed_url: str) -> FeedEntry:
    """Convert one feedparser entry."""
    title = _text(raw.get("title"))
    href = _text(raw.get("link"))
    link = urljoin(feed_url, href) if href else None
    guid = _text(raw.get("id"))
    summary = html_to_text(_summary_markup(raw))
    if not title:
        # Untitled items (common for microblog feeds) get their first line as a title.
        title = summary.split("\n", 1)[0][:120]
    key = guid or link or "sha256:" + hashlib.sha256((title or summary).encode()).hexdigest()
    return FeedEntry(
        key=key,
        link=link,
        title=title,
        summary=summary,
        published=_timestamp(raw.get("published_parsed") or raw.get("updated_parsed")),
        tags=normalize_tags(_text(tag.get("term")) for tag in raw.get("tags") or []),
    )


def _summary_markup(raw: Any) -> str:
    """Prefer the summary; fall back to the first content block."""
    summary = _text(raw.get("summary"))
    if summary:
        return summary
    for content in raw.get("content") or []:
        value = _text(content.get("value"))
        if value:
            return value
    return ""


def _timestamp(value: Any) -> datetime | None:
    """feedparser normalises dates to UTC struct_time; make them aware datetimes."""
    if not isinstance(value, time.struct_time):
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


class _Stripper(HTMLParser):
    """Collect text content, turning block elements into newlines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    def unknown_decl(self, data: str) -> None:
        # CDATA sections inside summaries hold text, not markup.
        self.parts.append(data.removeprefix("CDATA["))
