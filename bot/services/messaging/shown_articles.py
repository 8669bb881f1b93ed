"""Which article a bot message shows, and opening an article for a reader.

Every article message the bot sends is recorded in `article_messages` (deliveries, digests,
articles opened from a button, admin previews), and every Comment prompt in
`comment_prompts`. This service is the one place that reads them back: comments use it to
know what a reply or a button is about, related reading to know what /related refers to and
to open an article, and publishing to check that a preview button sits on that very draft.
When a record is gone (retention prunes old ones), the message's own buttons and link
(`MessageClues`) still tell which article it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.services.messaging.article_messages import ArticleComposer
from bot.services.messaging.notifier import Notifier
from bot.services.readers.comments import COMMENTABLE
from storage.articles import ArticleRepository
from storage.comments import CommentRepository
from storage.deliveries import DeliveryRepository
from storage.related import SUGGESTABLE


@dataclass(frozen=True)
class ReplyTarget:
    """What a replied-to bot message is: one article, a digest of several, or neither."""

    kind: str  # article | digest | other
    article_id: int | None = None


@dataclass(frozen=True)
class MessageClues:
    """What a bot message itself says about its article: the ids in its Comment buttons and
    the links in its text. Used when the message's record is gone (retention): Telegram
    sends the replied-to message as the bot sent it, and only the bot can send as itself."""

    comment_ids: frozenset[int] = frozenset()
    urls: tuple[str, ...] = ()


class ShownArticles:
    """Answers which article a bot message shows, and sends an article to a reader."""

    def __init__(
        self,
        deliveries: DeliveryRepository,
        prompts: CommentRepository,
        articles: ArticleRepository,
        composer: ArticleComposer,
        notifier: Notifier,
        clock: Clock,
    ) -> None:
        self.deliveries = deliveries
        self.prompts = prompts
        self.articles = articles
        self.composer = composer
        self.notifier = notifier
        self.clock = clock

    async def target(
        self, chat_id: int, message_id: int, clues: MessageClues | None = None
    ) -> ReplyTarget:
        """Which article a reply to this bot message is about (a Comment prompt counts): from
        its record, else (the record was pruned) from the message's own buttons and link."""
        prompted = await self.prompts.prompt_article(chat_id, message_id)
        if prompted is not None:
            return ReplyTarget("article", prompted)
        shown = await self.deliveries.article_for_message(chat_id, message_id)
        if len(shown) == 1:
            return ReplyTarget("article", shown[0])
        if shown:
            return ReplyTarget("digest")
        found = await self._from_clues(clues) if clues else None
        return ReplyTarget("article", found) if found else ReplyTarget("other")

    async def shows(
        self, chat_id: int, message_id: int, article_id: int, clues: MessageClues | None = None
    ) -> bool:
        """Whether this bot message in this chat shows the article (guards against forgery)."""
        shown = await self.deliveries.article_for_message(chat_id, message_id)
        if shown:
            return article_id in shown
        return clues is not None and await self._from_clues(clues) == article_id

    async def _from_clues(self, clues: MessageClues) -> int | None:
        """The one published article an unrecorded bot message shows, if it shows one."""
        by_url = {found for url in clues.urls if (found := await self.articles.id_for_url(url))}
        if len(clues.comment_ids) == 1:
            (article_id,) = clues.comment_ids
            # The article's own link, when the message has one, must agree with its buttons.
            if by_url and article_id not in by_url:
                return None
        elif not clues.comment_ids and len(by_url) == 1:
            (article_id,) = by_url
        else:
            return None  # several articles (a digest) or none
        article = await self.articles.get(article_id)
        return article_id if article is not None and article.status in COMMENTABLE else None

    async def open(self, article_id: int, chat_id: int) -> int | None:
        """Send a published article to a chat as deliveries look, and record the message so
        that replies to it become comments; None if the article cannot be shown."""
        article = await self.articles.get(article_id)
        if article is None or article.status not in SUGGESTABLE:
            return None
        message = await self.composer.compose(article_id, chat_id)
        if message is None:
            return None
        message_id = await self.notifier.send(message)
        await self.deliveries.record_message(
            chat_id, message_id, article_id, "article", self.clock.now()
        )
        return message_id
