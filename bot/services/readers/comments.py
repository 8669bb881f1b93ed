"""Readers' comments: validation, rate limit and paged lists (no Telegram types); the admins'
side is `moderation`.

Decisions: a banned user's comment is not stored at all (they are told politely). Media
replies count as comments only through their caption.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import _
from bot.services.messaging.callback_data import CommentPage
from bot.services.messaging.notifier import Button, Keyboard
from bot.services.readers.moderation import CommentModeration, Outcome
from bot.services.readers.prompts import PromptsInFlight
from bot.services.text.formatting import button_title, escape, truncate
from bot.services.text.timeutil import format_local
from storage.articles import ArticleRepository
from storage.comments import CommentRepository, NewComment
from storage.models import Article

MAX_LENGTH = 2000
RATE_LIMIT = 5
RATE_WINDOW = timedelta(minutes=1)
PAGE_SIZE = 5
COMMENTABLE = ("published", "archived")
LIST_TEXT_CAP = 600  # five comments of this size still fit in one message


@dataclass(frozen=True)
class CommentList:
    """One page of an article's comments as a message."""

    text: str
    keyboard: Keyboard


class CommentService:
    """Stores comments on articles and lists them for readers."""

    def __init__(
        self,
        comments: CommentRepository,
        articles: ArticleRepository,
        moderation: CommentModeration,
        clock: Clock,
    ) -> None:
        self.comments = comments
        self.articles = articles
        self.moderation = moderation
        self.clock = clock
        # Updates are handled concurrently: the rate check and the insert must not interleave,
        # or two comments sent at once could both pass the 5-a-minute limit.
        self._submitting = asyncio.Lock()
        # Prompts sent but not yet recorded: a reply to one waits for its record.
        self.prompts_in_flight = PromptsInFlight()

    async def commentable(self, article_id: int) -> Article | None:
        """The article if readers may comment on it and read its comments."""
        article = await self.articles.get(article_id)
        return article if article is not None and article.status in COMMENTABLE else None

    async def _refusal(self, user_id: int, text: str | None) -> str | None:
        body = (text or "").strip()
        if not body:
            return _("A comment needs some text: reply to the article with your words.")
        if len(body) > MAX_LENGTH:
            return _(
                "That comment is {length} characters long; the limit is {limit}. "
                "Please shorten it and send it again."
            ).format(length=len(body), limit=MAX_LENGTH)
        if await self.comments.is_banned(user_id):
            return _("Sorry, you can no longer comment on our articles.")
        now = self.clock.now()
        recent = await self.comments.times_since(user_id, now - RATE_WINDOW)
        if len(recent) >= RATE_LIMIT:
            wait = recent[-RATE_LIMIT] + RATE_WINDOW - now
            seconds = max(1, int(wait.total_seconds() + 0.999))
            return _(
                "You can post {limit} comments a minute. Please try again in {seconds} seconds."
            ).format(limit=RATE_LIMIT, seconds=seconds)
        return None

    async def submit(
        self,
        article_id: int,
        chat_id: int,
        message_id: int,
        user_id: int,
        user_name: str,
        text: str | None,
        *,
        source: str = "bot",
    ) -> Outcome:
        """Validate and store a reader's comment, telling the admins about it (`source`:
        "discussion" for replies in the channel's discussion group)."""
        article = await self.commentable(article_id)
        if article is None:
            return Outcome(False, _("Comments are closed on this article."))
        status = "pending" if self.moderation.settings.mode == "pre" else "visible"
        body = (text or "").strip()
        new = NewComment(
            article_id, chat_id, message_id, user_id, user_name[:128], body, status, source
        )
        async with self._submitting:
            refusal = await self._refusal(user_id, text)
            if refusal:
                return Outcome(False, refusal)
            stored = await self.comments.add(new, self.clock.now())
        if stored is None:
            return Outcome(False, _("That comment is already stored."), repeated=True)
        await self.moderation.notify_admins(article, stored)
        return Outcome(True, _thanks(article, status))

    async def record_prompt(
        self, chat_id: int, message_id: int, article_id: int, user_id: int
    ) -> None:
        """Remember a "write your comment" prompt message."""
        await self.comments.add_prompt(chat_id, message_id, article_id, user_id, self.clock.now())

    async def count(self, article_id: int) -> int:
        """Comments readers can see on an article."""
        return await self.comments.count_visible(article_id)

    async def listing(self, article: Article, page: int, tz: ZoneInfo) -> CommentList:
        """One page of visible comments, newest first, with ◀ ▶ buttons."""
        total = await self.comments.count_visible(article.id)
        title = escape(button_title(article.title, 80))
        if total == 0:
            return CommentList(
                _(
                    "💬 No comments yet on <b>{title}</b>.\n"
                    "Reply to the article to write the first one."
                ).format(title=title),
                (),
            )
        pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
        page = min(max(page, 0), pages - 1)
        shown = await self.comments.visible_page(article.id, page * PAGE_SIZE, PAGE_SIZE)
        reader = _("Reader")
        blocks = [
            f"<b>{escape(c.user_name or reader)}</b> · <i>{format_local(c.created_at, tz)}</i>\n"
            f"{escape(truncate(c.text, LIST_TEXT_CAP))}"
            for c in shown
        ]
        head = _("💬 <b>Comments on {title}</b>\n{total} in all · page {page} of {pages}").format(
            title=title, total=total, page=page + 1, pages=pages
        )
        nav = []
        if page > 0:
            nav.append(Button(_("◀ Newer"), CommentPage(article.id, page - 1).pack()))
        if page < pages - 1:
            nav.append(Button(_("Older ▶"), CommentPage(article.id, page + 1).pack()))
        return CommentList("\n\n".join([head, *blocks]), (tuple(nav),) if nav else ())


def _thanks(article: Article, status: str) -> str:
    """The answer to a stored comment: posted, or waiting for a moderator."""
    title = escape(button_title(article.title, 80))
    if status == "pending":
        return _(
            "Thanks! Your comment on <b>{title}</b> will appear once a moderator approves it."
        ).format(title=title)
    return _("💬 Thanks, your comment on <b>{title}</b> is posted.").format(title=title)
