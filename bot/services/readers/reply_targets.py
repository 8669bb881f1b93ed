"""Which article a reply to a bot message (or a button pressed on one) is about.

First from the records: Comment prompts, and which bot message shows which article. Records
older than RETENTION_DAYS are pruned, so a message without one is read instead: Telegram
sends the replied-to (or pressed) message as the bot sent it, with its buttons and links, and
only the bot can send as itself; the handler passes those clues in only for the bot's own
messages. An article found that way must exist and be open to comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.articles import ArticleRepository
from storage.comments import CommentRepository
from storage.deliveries import DeliveryRepository

COMMENTABLE = ("published", "archived")


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


class ReplyTargets:
    """Resolves the article a bot message shows, from records or from the message itself."""

    def __init__(
        self,
        comments: CommentRepository,
        articles: ArticleRepository,
        deliveries: DeliveryRepository,
    ) -> None:
        self.comments = comments
        self.articles = articles
        self.deliveries = deliveries

    async def target(
        self, chat_id: int, message_id: int, clues: MessageClues | None = None
    ) -> ReplyTarget:
        """Which article a reply to this bot message is about: from its record, else (the
        record was pruned) from the message's own buttons and link."""
        prompted = await self.comments.prompt_article(chat_id, message_id)
        if prompted is not None:
            return ReplyTarget("article", prompted)
        shown = await self.deliveries.article_for_message(chat_id, message_id)
        if len(shown) == 1:
            return ReplyTarget("article", shown[0])
        if shown:
            return ReplyTarget("digest")
        found = await self._from_clues(clues) if clues else None
        return ReplyTarget("article", found) if found else ReplyTarget("other")

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
        return article_id if await self._commentable(article_id) else None

    async def shown_in(
        self, chat_id: int, message_id: int, article_id: int, clues: MessageClues | None = None
    ) -> bool:
        """Whether this bot message in this chat shows the article (guards against forgery)."""
        shown = await self.deliveries.article_for_message(chat_id, message_id)
        if shown:
            return article_id in shown
        return clues is not None and await self._from_clues(clues) == article_id

    async def _commentable(self, article_id: int) -> bool:
        article = await self.articles.get(article_id)
        return article is not None and article.status in COMMENTABLE
