"""Readers' comments: validation, rate limit, moderation and paged lists (no Telegram types).

Decisions: a banned user's comment is not stored at all (they are told politely); `/ban`
does not hide what the user wrote before (admins hide single comments with the buttons),
while the Ban button under a comment also hides that comment. Media replies count as
comments only through their caption.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import _
from bot.services.messaging.callback_data import CommentPage, ModerateComment
from bot.services.messaging.notifier import (
    EXPIRED,
    Button,
    Keyboard,
    LanguageOf,
    Notifier,
    OutgoingMessage,
    SendError,
    to_each_chat,
)
from bot.services.readers.prompts import PromptsInFlight
from bot.services.text.formatting import (
    MESSAGE_LIMIT,
    button_title,
    escape,
    telegram_len,
    truncate,
)
from bot.services.text.timeutil import format_local
from storage.articles import ArticleRepository
from storage.comments import CommentRepository, NewComment
from storage.models import Article, Comment

log = logging.getLogger(__name__)

MAX_LENGTH = 2000
RATE_LIMIT = 5
RATE_WINDOW = timedelta(minutes=1)
PAGE_SIZE = 5
COMMENTABLE = ("published", "archived")
LIST_TEXT_CAP = 600  # five comments of this size still fit in one message
NOTE_ROOM = 320  # kept free in a moderation notice for the decision note added under it


@dataclass(frozen=True)
class Outcome:
    """The answer for the person who acted, and whether anything changed."""

    ok: bool
    text: str
    repeated: bool = False  # the same message again (a repeated update): nothing to say


@dataclass(frozen=True)
class CommentList:
    """One page of an article's comments as a message."""

    text: str
    keyboard: Keyboard


@dataclass(frozen=True)
class ModerationSettings:
    """Who moderates and how."""

    admin_ids: frozenset[int]
    mode: str  # post | pre
    tz: ZoneInfo


class CommentService:
    """Stores comments on articles and lets admins moderate them."""

    def __init__(
        self,
        comments: CommentRepository,
        articles: ArticleRepository,
        notifier: Notifier,
        clock: Clock,
        settings: ModerationSettings,
        language_of: LanguageOf | None = None,
    ) -> None:
        self.language_of = language_of
        self.comments = comments
        self.articles = articles
        self.notifier = notifier
        self.clock = clock
        self.settings = settings
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
        status = "pending" if self.settings.mode == "pre" else "visible"
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
        await self._notify_admins(article, stored)
        title = escape(button_title(article.title, 80))
        if status == "pending":
            return Outcome(
                True,
                _(
                    "Thanks! Your comment on <b>{title}</b> will appear once a moderator "
                    "approves it."
                ).format(title=title),
            )
        return Outcome(
            True, _("💬 Thanks, your comment on <b>{title}</b> is posted.").format(title=title)
        )

    def _moderation_keyboard(self, comment: Comment) -> Keyboard:
        cid = comment.id
        if comment.status == "pending":
            return (
                (
                    Button(_("✅ Approve"), ModerateComment("a", cid).pack()),
                    Button(_("❌ Reject"), ModerateComment("r", cid).pack()),
                ),
                (Button(_("⛔ Ban author"), ModerateComment("b", cid).pack()),),
            )
        return (
            (
                Button(_("🙈 Hide"), ModerateComment("h", cid).pack()),
                Button(_("⛔ Ban author"), ModerateComment("b", cid).pack()),
            ),
        )

    def moderation_text(self, article: Article, comment: Comment) -> str:
        """The admins' notice about a comment."""
        if comment.status == "pending":
            head = _("💬 New comment (awaiting approval) on <b>{title}</b> (#{id})")
        else:
            head = _("💬 New comment (posted) on <b>{title}</b> (#{id})")
        name = button_title(comment.user_name or _("a reader"), 64)
        intro = (
            head.format(title=escape(button_title(article.title, 80)), id=article.id)
            + "\n"
            + _("From {name} (user id {id}):").format(name=escape(name), id=comment.user_id)
            + "\n\n"
        )
        # Telegram counts UTF-16 units, so 2000 emoji are 4000; the moderation buttons later
        # append who decided, which must fit too. The stored comment stays whole.
        room = MESSAGE_LIMIT - NOTE_ROOM - telegram_len(intro)
        return intro + escape(truncate(comment.text, room))

    async def _notify_admins(self, article: Article, comment: Comment) -> None:
        # Made for each admin in their own language.
        await to_each_chat(
            self.settings.admin_ids,
            lambda admin: self.notifier.send(
                OutgoingMessage(
                    admin,
                    self.moderation_text(article, comment),
                    self._moderation_keyboard(comment),
                    disable_preview=True,
                )
            ),
            f"the notice of comment {comment.id}",
            self.language_of,
        )

    async def moderate(self, action: str, comment_id: int, admin_name: str) -> Outcome:
        """Apply an admin's button (a approve, r reject, h hide, b ban author and hide)."""
        comment = await self.comments.get(comment_id)
        if comment is None:
            return Outcome(False, _(EXPIRED))
        who = escape(admin_name or _("an admin"))
        if action == "a":
            done = await self.comments.set_status(comment_id, "visible", ("pending",))
            note = _("✅ Approved by {who}.").format(who=who)
        elif action == "r":
            done = await self.comments.set_status(comment_id, "hidden", ("pending",))
            note = _("❌ Rejected by {who}.").format(who=who)
        elif action == "h":
            done = await self.comments.set_status(comment_id, "hidden", ("visible", "pending"))
            note = _("🙈 Hidden by {who}.").format(who=who)
        elif action == "b":
            hidden = await self.comments.set_status(comment_id, "hidden", ("visible", "pending"))
            banned = await self.comments.ban(comment.user_id, None, self.clock.now())
            done = hidden or banned
            note = _("⛔ Author banned and comment hidden by {who}.").format(who=who)
        else:
            return Outcome(False, _(EXPIRED))
        if not done:
            return Outcome(False, _(EXPIRED))
        if action != "a" and comment.source == "discussion":
            await self._take_down(comment)
        return Outcome(True, note)

    async def _take_down(self, comment: Comment) -> None:
        """Remove a hidden comment from the channel's discussion group, where everyone sees
        it (the bot needs the right to delete messages there; else it stays, logged)."""
        try:
            await self.notifier.delete(comment.chat_id, comment.message_id)
        except SendError as exc:
            log.warning(
                "comment %s hidden, but not deleted from group %s: %s",
                comment.id,
                comment.chat_id,
                exc,
            )

    async def ban(self, user_id: int, admin_id: int | None) -> Outcome:
        """/ban: the user's new comments are refused from now on."""
        if await self.comments.ban(user_id, admin_id, self.clock.now()):
            return Outcome(True, _("User {id} can no longer comment.").format(id=user_id))
        return Outcome(False, _("User {id} was already banned.").format(id=user_id))

    async def unban(self, user_id: int) -> Outcome:
        """/unban: the user may comment again."""
        if await self.comments.unban(user_id):
            return Outcome(True, _("User {id} may comment again.").format(id=user_id))
        return Outcome(False, _("User {id} was not banned.").format(id=user_id))

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
