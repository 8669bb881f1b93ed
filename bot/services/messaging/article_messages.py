"""Turns stored articles into the messages subscribers receive."""

from __future__ import annotations

import time
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.services.messaging.notifier import Keyboard, OutgoingMessage
from bot.services.text.formatting import render_article
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


class ArticleComposer:
    """Renders an article once per broadcast and reuses it for every chat."""

    def __init__(
        self, articles: ArticleRepository, tz: ZoneInfo, keyboards: KeyboardProvider | None = None
    ) -> None:
        self.articles = articles
        self.tz = tz
        self.keyboards: KeyboardProvider = keyboards or NoKeyboard()
        self._cache: dict[int, tuple[float, Article, str, Keyboard]] = {}
        self._generation: dict[int, int] = {}

    def invalidate(self, article_id: int) -> None:
        """Forget a cached rendering (the article was edited or withdrawn)."""
        self._cache.pop(article_id, None)
        self._generation[article_id] = self._generation.get(article_id, 0) + 1

    async def _rendered(self, article_id: int) -> tuple[Article, str, Keyboard] | None:
        cached = self._cache.get(article_id)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1], cached[2], cached[3]
        generation = self._generation.get(article_id, 0)
        article = await self.articles.get(article_id)
        if article is None:
            return None
        text = render_article(article, tz=self.tz)
        keyboard = await self.keyboards.article_keyboard(article)
        if len(self._cache) > 256:
            self._cache.clear()
        # An edit during this render must not be overwritten by the older text.
        if generation == self._generation.get(article_id, 0):
            self._cache[article_id] = (time.monotonic(), article, text, keyboard)
        return article, text, keyboard

    async def compose(self, article_id: int, chat_id: int) -> OutgoingMessage | None:
        """The article message for one chat, or None if the article is gone or withdrawn."""
        rendered = await self._rendered(article_id)
        if rendered is None or rendered[0].status == "withdrawn":
            return None
        return _message(chat_id, *rendered)

    async def message_for(self, article: Article, chat_id: int) -> OutgoingMessage:
        """The message for an article object as it is now, bypassing the cache (edits)."""
        text = render_article(article, tz=self.tz)
        return _message(chat_id, article, text, await self.keyboards.article_keyboard(article))


def _message(chat_id: int, article: Article, text: str, keyboard: Keyboard) -> OutgoingMessage:
    return OutgoingMessage(
        chat_id=chat_id,
        text=text,
        keyboard=keyboard,
        link_preview_url=article.url if article.link_preview else None,
        disable_preview=not (article.link_preview and article.url),
    )
