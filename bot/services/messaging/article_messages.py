"""Turns stored articles into the messages subscribers receive."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.i18n import LANGUAGES, current_language
from bot.services.messaging.notifier import Keyboard, OutgoingMessage
from bot.services.text.formatting import render_article, render_caption, safe_image_url
from storage.articles import ArticleRepository
from storage.models import Article

CACHE_SECONDS = 30.0


class KeyboardProvider(Protocol):
    """Supplies the reader buttons under an article (related reading, comments)."""

    async def article_keyboard(self, article: Article) -> Keyboard:
        """Buttons for this article."""
        ...


class NoKeyboard:
    """No reader buttons."""

    async def article_keyboard(self, article: Article) -> Keyboard:
        """No buttons."""
        return ()


@dataclass(frozen=True)
class _Rendered:
    article: Article
    message: OutgoingMessage  # for chat 0: the chat id is filled in per recipient
    made_at: float


class ArticleComposer:
    """Renders an article once per broadcast and reuses it for every chat.

    With style "photo" an article with a usable lead image becomes a photo card (the text
    rendering rides along for the fallback); `bare_chats` (the publisher's channel) get the
    article without reader buttons, which need a private chat or a group to work."""

    def __init__(
        self,
        articles: ArticleRepository,
        tz: ZoneInfo,
        keyboards: KeyboardProvider | None = None,
        *,
        style: str = "preview",
    ) -> None:
        self.articles = articles
        self.tz = tz
        self.keyboards: KeyboardProvider = keyboards or NoKeyboard()
        self.style = style
        self.bare_chats: set[int] = set()
        # Keyed by article and language: the bot's own words (byline, link, buttons) are in
        # the reader's language; the article's text is the same in all.
        self._cache: dict[tuple[int, str], _Rendered] = {}
        self._generation: dict[int, int] = {}
        # Articles whose photo card is being tried for the first time in this broadcast.
        self._photo_trials: dict[int, asyncio.Event] = {}
        self._photo_confirmed: set[int] = set()

    def invalidate(self, article_id: int) -> None:
        """Forget a cached rendering (the article was edited or withdrawn)."""
        for language in LANGUAGES:
            self._cache.pop((article_id, language), None)
        self._generation[article_id] = self._generation.get(article_id, 0) + 1

    async def _rendered(self, article_id: int) -> _Rendered | None:
        key = (article_id, current_language())
        cached = self._cache.get(key)
        if cached and time.monotonic() - cached.made_at < CACHE_SECONDS:
            return cached
        generation = self._generation.get(article_id, 0)
        article = await self.articles.get(article_id)
        if article is None:
            return None
        rendered = _Rendered(article, await self.message_for(article, 0), time.monotonic())
        if len(self._cache) > 256:
            self._cache.clear()
        # An edit during this render must not be overwritten by the older text.
        if generation == self._generation.get(article_id, 0):
            self._cache[key] = rendered
        return rendered

    async def compose(self, article_id: int, chat_id: int) -> OutgoingMessage | None:
        """The article message for one chat, or None if the article is gone or withdrawn."""
        rendered = await self._rendered(article_id)
        if rendered is None or rendered.article.status == "withdrawn":
            return None
        return self.for_chat(rendered.message, chat_id)

    async def message_for(self, article: Article, chat_id: int) -> OutgoingMessage:
        """The message for an article object as it is now, bypassing the cache (edits)."""
        message = OutgoingMessage(
            chat_id=0,
            text=render_article(article, tz=self.tz),
            keyboard=await self.keyboards.article_keyboard(article),
            link_preview_url=article.url if article.link_preview else None,
            disable_preview=not (article.link_preview and article.url),
        )
        image = safe_image_url(article)
        if image:
            message = replace(message, caption=render_caption(article, tz=self.tz))
        if image and self.style == "photo" and not article.photo_refused:
            message = replace(message, photo_url=image)
        return self.for_chat(message, chat_id)

    def for_chat(self, message: OutgoingMessage, chat_id: int) -> OutgoingMessage:
        """A rendered article message addressed to one chat (no reader buttons in bare ones)."""
        keyboard = () if chat_id in self.bare_chats else message.keyboard
        return replace(message, chat_id=chat_id, keyboard=keyboard)

    @contextlib.asynccontextmanager
    async def photo_trial(self, article_id: int) -> AsyncIterator[None]:
        """Hold other senders of this article's photo card until the first one is through,
        so that a photo Telegram refuses costs one call, not one per sender in flight."""
        while article_id not in self._photo_confirmed:
            trial = self._photo_trials.get(article_id)
            if trial is None:
                break
            await trial.wait()
        if article_id in self._photo_confirmed:
            yield
            return
        done = self._photo_trials[article_id] = asyncio.Event()
        try:
            yield
        finally:
            self._photo_trials.pop(article_id, None)
            done.set()

    def photo_accepted(self, article_id: int) -> None:
        """Telegram took the photo card: the rest of the broadcast need not wait."""
        if len(self._photo_confirmed) > 1024:
            self._photo_confirmed.clear()
        self._photo_confirmed.add(article_id)

    async def photo_refused(self, article_id: int) -> None:
        """Telegram refused the photo: the article goes as text from now on (stored)."""
        await self.articles.refuse_photo(article_id)
        self.invalidate(article_id)
