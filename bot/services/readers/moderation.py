"""Moderating readers' comments (no Telegram types): the admins' notice of each new comment
with its buttons, their decisions, and bans.

Decisions: `/ban` does not hide what the user wrote before (admins hide single comments with
the buttons), while the Ban button under a comment also hides that comment. A comment hidden
in the channel's discussion group is deleted there too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import _
from bot.services.messaging.callback_data import ModerateComment
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
from bot.services.text.formatting import (
    MESSAGE_LIMIT,
    button_title,
    escape,
    telegram_len,
    truncate,
)
from storage.comments import CommentRepository
from storage.models import Article, Comment

log = logging.getLogger(__name__)

NOTE_ROOM = 320  # kept free in a moderation notice for the decision note added under it


@dataclass(frozen=True)
class Outcome:
    """The answer for the person who acted, and whether anything changed."""

    ok: bool
    text: str
    repeated: bool = False  # the same message again (a repeated update): nothing to say


@dataclass(frozen=True)
class ModerationSettings:
    """Who moderates and how."""

    admin_ids: frozenset[int]
    mode: str  # post | pre
    tz: ZoneInfo


class CommentModeration:
    """Tells the admins about comments and applies their decisions and bans."""

    def __init__(
        self,
        comments: CommentRepository,
        notifier: Notifier,
        clock: Clock,
        settings: ModerationSettings,
        language_of: LanguageOf | None = None,
    ) -> None:
        self.comments = comments
        self.notifier = notifier
        self.clock = clock
        self.settings = settings
        self.language_of = language_of

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

    async def notify_admins(self, article: Article, comment: Comment) -> None:
        """Send every admin the notice of a new comment, each in their own language."""
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
