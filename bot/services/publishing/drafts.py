"""Turning a link, pasted text or a document into an article draft, and the admin preview."""

from __future__ import annotations

import asyncio
import hashlib
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, _
from bot.services.ingest.extract import (
    ExtractedArticle,
    ExtractError,
    article_from_document,
    article_from_text,
    extract_article,
)
from bot.services.ingest.fetch import FetchError, fetch_page, make_client
from bot.services.ingest.problems import NO_ARTICLE
from bot.services.messaging.callback_data import PublishAction
from bot.services.messaging.notifier import Button, Keyboard
from bot.services.text.formatting import TITLE_LIMIT, quoted, truncate
from bot.services.text.summarize import summarize
from bot.services.text.timeutil import format_local
from storage.models import Article, NewArticle, PageProblem

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


class PageError(PublishError):
    """A linked page could not be used; `problem` says why as data (a reason code)."""

    def __init__(self, message: str, problem: PageProblem) -> None:
        super().__init__(message)
        self.problem = problem


async def load_url(url: str, *, allow_private: bool) -> ExtractedArticle:
    """Fetch a web page and extract its article (PageError when it cannot be used)."""
    try:
        async with make_client() as client:
            page = await fetch_page(url, client=client, allow_private=allow_private)
        return await asyncio.to_thread(extract_article, page.text, page.url)
    except FetchError as exc:
        raise PageError(str(exc), exc.problem) from exc
    except ExtractError as exc:
        # extract_article's errors all have a problem; the fallback only satisfies the type.
        raise PageError(str(exc), exc.problem or PageProblem(NO_ARTICLE)) from exc


def load_text(text: str) -> ExtractedArticle:
    """An article from pasted text: first line the title, the rest the body."""
    try:
        return article_from_text(text)
    except ExtractError as exc:
        raise PublishError(str(exc)) from exc


def load_document(filename: str, data: bytes) -> ExtractedArticle:
    """An article from an uploaded .txt, .md or .html file."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PublishError(
            _("The file is larger than {size} MB.").format(size=MAX_DOCUMENT_BYTES // 1_000_000)
        )
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
        label = _("⏰ Schedule for {time}").format(time=when)
        rows.append((Button(label, PublishAction("at", article.id).pack()),))
    rows.append((Button(_("✅ Publish now"), PublishAction("now", article.id).pack()),))
    rows.append(
        (
            Button(_("⏰ In 1 hour"), PublishAction("h1", article.id).pack()),
            Button(_("🌅 Tomorrow 08:00"), PublishAction("tm", article.id).pack()),
        )
    )
    rows.append((Button(_("✖ Cancel"), PublishAction("x", article.id).pack()),))
    return tuple(rows)


def describe(article: Article, tz: ZoneInfo) -> str:
    """How admins are told about an article: #12 “Title” (published 1 Dec 2026 08:00 UTC)."""
    moment: datetime = article.published_at or article.scheduled_at or article.created_at
    shown = {
        "scheduled": N_("#{id} {title} (scheduled for {time})"),
        "draft": N_("#{id} {title} (drafted {time})"),
        "published": N_("#{id} {title} (published {time})"),
        "withdrawn": N_("#{id} {title} (withdrawn {time})"),
        "archived": N_("#{id} {title} (archived {time})"),
    }.get(article.status, N_("#{id} {title} ({time})"))
    return _(shown).format(
        id=article.id, title=quoted(article.title), time=format_local(moment, tz)
    )
