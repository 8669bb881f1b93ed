"""Turning a link, pasted text or a document into an article draft, and the admin preview."""

from __future__ import annotations

import asyncio
import hashlib
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.ingest.extract import (
    ExtractedArticle,
    ExtractError,
    article_from_document,
    article_from_text,
    extract_article,
)
from bot.services.ingest.fetch import FetchError, fetch_page, make_client
from bot.services.messaging.callback_data import PublishAction
from bot.services.messaging.notifier import Button, Keyboard
from bot.services.text.formatting import TITLE_LIMIT, quoted, truncate
from bot.services.text.summarize import summarize
from bot.services.text.timeutil import format_local
from storage.models import Article, NewArticle

MAX_DOCUMENT_BYTES = 1_000_000
DOCUMENT_TYPES = (".txt", ".md", ".markdown", ".html", ".htm")


class PublishError(Exception):
    """A publishing step failed; str() is a plain-text explanation for the admin."""


def content_hash(title: str, body: str) -> str:
    """sha256 of the normalised title and body, so re-spaced or re-cased copies still match."""

    def norm(text: str) -> str:
        # NFKC folds look-alike characters; casefold and whitespace folding ignore layout.
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())

    return hashlib.sha256(f"{norm(title)}\n{norm(body)}".encode()).hexdigest()


async def load_url(url: str, *, allow_private: bool) -> ExtractedArticle:
    """Fetch a web page and extract its article."""
    try:
        async with make_client() as client:
            page = await fetch_page(url, client=client, allow_private=allow_private)
        return await asyncio.to_thread(extract_article, page.text, page.url)
    except (FetchError, ExtractError) as exc:
        raise PublishError(str(exc)) from exc


def load_text(text: str) -> ExtractedArticle:
    """An article from pasted text: first line the title, the rest the body."""
    try:
        return article_from_text(text)
    except ExtractError as exc:
        raise PublishError(str(exc)) from exc


def load_document(filename: str, data: bytes) -> ExtractedArticle:
    """An article from an uploaded .txt, .md or .html file."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PublishError(f"The file is larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB.")
    try:
        return article_from_document(filename, data)
    except ExtractError as exc:
        raise PublishError(str(exc)) from exc


async def to_new_article(
    extracted: ExtractedArticle,
    *,
    source: str = "admin",
    created_by: int | None = None,
    external_id: str | None = None,
) -> NewArticle:
    """A storable article with an extractive summary."""
    summary = await asyncio.to_thread(summarize, extracted.title, extracted.body)
    return NewArticle(
        # A pasted text's first line can be a whole paragraph; headlines stay headline-sized
        # so every message that names the article fits Telegram's limits.
        title=truncate(" ".join(extracted.title.split()), TITLE_LIMIT),
        body=extracted.body,
        summary=summary,
        url=extracted.url,
        author=extracted.author,
        page_date=extracted.published,
        image_url=extracted.image_url,
        tags=extracted.tags,
        source=source,
        external_id=external_id,
        created_by=created_by,
    )


def admin_keyboard(article: Article, tz: ZoneInfo) -> Keyboard:
    """The admin's buttons under a draft preview: publish, schedule, cancel."""
    rows: list[tuple[Button, ...]] = []
    if article.scheduled_at is not None:
        when = format_local(article.scheduled_at, tz)
        rows.append((Button(f"⏰ Schedule for {when}", PublishAction("at", article.id).pack()),))
    rows.append((Button("✅ Publish now", PublishAction("now", article.id).pack()),))
    rows.append(
        (
            Button("⏰ In 1 hour", PublishAction("h1", article.id).pack()),
            Button("🌅 Tomorrow 08:00", PublishAction("tm", article.id).pack()),
        )
    )
    rows.append((Button("✖ Cancel", PublishAction("x", article.id).pack()),))
    return tuple(rows)


def describe(article: Article, tz: ZoneInfo) -> str:
    """How admins are told about an article: #12 “Title” (published 1 Dec 2026 08:00 UTC)."""
    moment: datetime = article.published_at or article.scheduled_at or article.created_at
    verb = {"scheduled": "scheduled for", "draft": "drafted"}.get(article.status, article.status)
    return f"#{article.id} {quoted(article.title)} ({verb} {format_local(moment, tz)})"
