"""Withdrawing and correcting published articles, including the messages already sent.

Digest messages list several articles, so they are left alone on both paths; the admin's
answer says how many there were. Messages whose records retention removed cannot be reached
either; the answers count them too. A withdrawn article's message is deleted while Telegram
still allows it (48 hours, with an hour's margin for clock drift), else edited into a note.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.i18n import N_, _, current_language, using
from bot.services.messaging.article_messages import ArticleComposer
from bot.services.messaging.notifier import (
    Notifier,
    OutgoingMessage,
    PermanentError,
    SendError,
    WrongMessageKind,
)
from bot.services.publishing.drafts import PublishError, content_hash
from storage.articles import ArticleRepository
from storage.deliveries import DeliveryRepository
from storage.models import Article
from storage.retention import RetentionRepository

log = logging.getLogger(__name__)

DELETE_WINDOW = timedelta(hours=47)
WITHDRAWN_NOTE = N_("<i>This article has been withdrawn by the editors.</i>")
TITLE_LIMIT = 300
SUMMARY_LIMIT = 2000
FIELDS = ("title", "summary")


@dataclass(frozen=True)
class MessagesChanged:
    """What happened to an article's sent messages."""

    article: Article
    cancelled: int = 0
    deleted: int = 0
    edited: int = 0
    failed: int = 0
    digests: int = 0
    was_scheduled: bool = False  # cancelled before its time: nothing had been sent
    out_of_reach: int = 0  # messages whose records retention removed: left as they are


@dataclass(frozen=True)
class WithdrawalPlan:
    """What withdrawing an article would do, shown to the admin before they confirm."""

    article: Article
    pending: int  # deliveries not yet sent, to be cancelled
    to_delete: int  # readers' messages young enough to delete
    to_edit: int  # older ones, to be edited into the withdrawal note
    digests: int  # digest messages listing it, left alone
    out_of_reach: int = 0  # messages whose records retention removed: left as they are


class CorrectionService:
    """/unpublish and /edit: change an article and every message that shows it."""

    def __init__(
        self,
        articles: ArticleRepository,
        deliveries: DeliveryRepository,
        composer: ArticleComposer,
        notifier: Notifier,
        clock: Clock,
        on_change: Callable[[Article], Awaitable[None]],
        retention: RetentionRepository,
        languages: Callable[[Sequence[int]], Awaitable[dict[int, str]]] | None = None,
    ) -> None:
        # Each reader's message is rewritten in their own language (notes, the article's
        # byline and buttons); without a lookup, in the current one.
        self.languages = languages
        self.articles = articles
        self.deliveries = deliveries
        self.composer = composer
        self.notifier = notifier
        self.clock = clock
        self.on_change = on_change
        self.retention = retention

    async def _out_of_reach(self, article_id: int) -> int:
        """Messages showing the article whose records retention has removed."""
        return sum((await self.retention.pruned_messages(article_id)).values())

    async def _article(self, article_id: int) -> Article:
        article = await self.articles.get(article_id)
        if article is None:
            raise PublishError(
                _("There is no article #{id}. /articles lists them.").format(id=article_id)
            )
        return article

    async def plan_withdrawal(self, article_id: int) -> WithdrawalPlan:
        """What /unpublish would change, without changing anything."""
        article = await self._article(article_id)
        if article.status not in ("scheduled", "published"):
            raise PublishError(_cannot_withdraw(article))
        now = self.clock.now()
        to_delete = to_edit = digests = 0
        for _chat, _message, kind, sent_at in await self.deliveries.messages_of_article(
            article_id
        ):
            if kind == "digest":
                digests += 1
            elif now - sent_at < DELETE_WINDOW:
                to_delete += 1
            else:
                to_edit += 1
        pending = (await self.deliveries.counts(article_id)).pending
        unreachable = await self._out_of_reach(article_id)
        return WithdrawalPlan(article, pending, to_delete, to_edit, digests, unreachable)

    async def withdraw(self, article_id: int) -> MessagesChanged:
        """Stop pending deliveries and remove (or mark) the messages already sent."""
        article = await self._article(article_id)
        if article.status not in ("scheduled", "published"):
            raise PublishError(_cannot_withdraw(article))
        now = self.clock.now()
        # Withdrawn first, so that a worker composing this article right now gets nothing.
        await self.articles.set_status(article_id, "withdrawn", now)
        self.composer.invalidate(article_id)
        cancelled = await self.deliveries.cancel_article(article_id)
        deleted = edited = failed = digests = 0
        messages = await self.deliveries.messages_of_article(article_id)
        languages = await self._languages([chat_id for chat_id, *_rest in messages])
        for chat_id, message_id, kind, sent_at in messages:
            if kind == "digest":
                digests += 1
                continue
            with using(languages.get(chat_id, current_language())):
                outcome = await self._remove(chat_id, message_id, now - sent_at < DELETE_WINDOW)
            deleted += outcome == "deleted"
            edited += outcome == "edited"
            failed += outcome == "failed"
        changed = await self._article(article_id)
        await self.on_change(changed)
        scheduled = article.status == "scheduled"
        unreachable = await self._out_of_reach(article_id)
        return MessagesChanged(
            changed, cancelled, deleted, edited, failed, digests, scheduled, unreachable
        )

    async def _remove(self, chat_id: int, message_id: int, deletable: bool) -> str:
        """Delete one message, or edit it into the withdrawal note when deleting fails."""
        if deletable:
            try:
                await self.notifier.delete(chat_id, message_id, broadcast=True)
            except PermanentError:
                pass  # too old or already gone for Telegram: fall back to an edit
            except SendError as exc:
                log.warning("could not delete %s/%s: %s", chat_id, message_id, exc)
                return "failed"
            else:
                return "deleted"
        note = OutgoingMessage(chat_id=chat_id, text=_(WITHDRAWN_NOTE), disable_preview=True)
        try:
            await self._edit(note, message_id)
        except SendError as exc:
            log.warning("could not edit %s/%s: %s", chat_id, message_id, exc)
            return "failed"
        return "edited"

    async def _languages(self, chat_ids: Sequence[int]) -> dict[int, str]:
        return await self.languages(chat_ids) if self.languages else {}

    async def _edit(self, message: OutgoingMessage, message_id: int) -> None:
        """Edit one sent message, as a caption when it turns out to be a photo card (or as
        text when a photo card was sent as text after all): the kind is not stored."""
        try:
            await self.notifier.edit(message, message_id, broadcast=True)
        except WrongMessageKind:
            flipped = message.as_text() if message.is_photo else message.as_caption()
            await self.notifier.edit(flipped, message_id, broadcast=True)

    async def edit(self, article_id: int, field: str, text: str) -> MessagesChanged:
        """Correct the title or summary and update every article message already sent."""
        article = await self._article(article_id)
        value = " ".join(text.split()) if field == "title" else text.strip()
        _check_edit(article, field, value)
        title = value if field == "title" else article.title
        summary = value if field == "summary" else article.summary
        await self.articles.update_text(
            article_id,
            title=title,
            summary=summary,
            content_hash=content_hash(title, article.body),
            now=self.clock.now(),
        )
        self.composer.invalidate(article_id)
        changed = await self._article(article_id)
        await self.on_change(changed)
        messages = await self.deliveries.messages_of_article(article_id)
        languages = await self._languages([chat_id for chat_id, *_rest in messages])
        templates: dict[str, OutgoingMessage] = {}
        edited = failed = digests = 0
        for chat_id, message_id, kind, _sent in messages:
            if kind == "digest":
                digests += 1
                continue
            language = languages.get(chat_id, current_language())
            try:
                with using(language):
                    if language not in templates:  # rendered once per language
                        templates[language] = await self.composer.message_for(changed, 0)
                    message = self.composer.for_chat(templates[language], chat_id)
                    await self._edit(message, message_id)
                edited += 1
            except SendError as exc:
                log.warning("could not edit %s/%s: %s", chat_id, message_id, exc)
                failed += 1
        self.composer.invalidate(article_id)
        return MessagesChanged(
            changed,
            edited=edited,
            failed=failed,
            digests=digests,
            out_of_reach=await self._out_of_reach(article_id),
        )


def _cannot_withdraw(article: Article) -> str:
    if article.status == "withdrawn":
        if article.published_at is None:
            text = _("Article #{id} was cancelled before its time; nothing was sent.")
        else:
            text = _("Article #{id} is already withdrawn.")
    elif article.status == "draft":
        text = _("Article #{id} is an unpublished draft: press Cancel on its preview.")
    else:
        text = _("Article #{id} comes from the imported archive and was never sent.")
    return text.format(id=article.id)


def _check_edit(article: Article, field: str, value: str) -> None:
    """Refuse edits that cannot work, with a reason."""
    if article.status == "withdrawn":
        raise PublishError(
            _("Article #{id} is withdrawn; there is nothing to correct.").format(id=article.id)
        )
    if field not in FIELDS:
        raise PublishError(_("You can edit the title or the summary: /edit 12 title New headline"))
    if not value:
        raise PublishError(
            _("The new title is empty.") if field == "title" else _("The new summary is empty.")
        )
    limit = TITLE_LIMIT if field == "title" else SUMMARY_LIMIT
    if len(value) > limit:
        text = (
            _("The title is too long ({length} characters, at most {limit}).")
            if field == "title"
            else _("The summary is too long ({length} characters, at most {limit}).")
        )
        raise PublishError(text.format(length=len(value), limit=limit))
    # Telegram refuses an edit that changes nothing ("message is not modified"), so every
    # sent message would be counted as failed.
    if value == (article.title if field == "title" else article.summary):
        text = (
            _("The title of #{id} already reads exactly that.")
            if field == "title"
            else _("The summary of #{id} already reads exactly that.")
        )
        raise PublishError(text.format(id=article.id))
