"""The publisher's channel: every published article is posted there too, and replies in the
channel's discussion group are comments on it (no Telegram types).

The channel's post is one more outbox row, so it is paced, retried and recorded like any
delivery, and `/edit` and `/unpublish` find it among the article's messages. The start-up
check (bot/handlers/channel.py) enables the channel only when the bot may post there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.i18n import N_
from bot.services.messaging.article_messages import ArticleComposer
from storage.deliveries import DeliveryRepository

POSTING_STATUSES = ("administrator", "creator")


@dataclass(frozen=True)
class ChannelTarget:
    """The channel the bot posts to, and its linked discussion group if it has one."""

    chat_id: int
    title: str
    discussion_id: int | None = None


# Why the bot cannot post in the channel (msgids: shown to each admin in their language).
NOT_A_CHANNEL = N_("it is not a channel but a {kind}")
NOT_ADMIN = N_("the bot is not an administrator of the channel: add it as one")
MAY_NOT_POST = N_("the bot may not post in the channel: allow it to post messages")
CANNOT_SEE = N_("the bot cannot see it ({error}): add the bot to it as an administrator")


def channel_problem(chat_type: str, status: str, can_post: bool | None) -> str | None:
    """Why the bot cannot post in this chat (a msgid, with {kind} the chat's type), or None
    when it can."""
    if chat_type != "channel":
        return NOT_A_CHANNEL
    if status not in POSTING_STATUSES:
        return NOT_ADMIN
    if status == "administrator" and not can_post:
        return MAY_NOT_POST
    return None


class ChannelService:
    """Queues articles for the channel and maps discussion-group copies to articles."""

    def __init__(self, deliveries: DeliveryRepository, composer: ArticleComposer) -> None:
        self.deliveries = deliveries
        self.composer = composer
        self.target: ChannelTarget | None = None

    def enable(self, target: ChannelTarget) -> None:
        """Post to this channel from now on (the start-up check passed)."""
        self.target = target
        # Reader buttons need a private chat or a group: channel posts go without them.
        self.composer.bare_chats.add(target.chat_id)

    async def queue(self, article_id: int, now: datetime) -> bool:
        """Queue the article's channel post (idempotent); False when there is no channel."""
        if self.target is None:
            return False
        await self.deliveries.queue_chat(article_id, self.target.chat_id, now)
        return True

    async def article_of_copy(
        self, group_id: int, origin_chat_id: int, origin_message_id: int
    ) -> int | None:
        """The article shown by a channel post, given the discussion group's copy of it
        (its chat, and the channel and post it was forwarded from); None if not ours."""
        target = self.target
        if target is None or group_id != target.discussion_id or origin_chat_id != target.chat_id:
            return None
        shown = await self.deliveries.article_for_message(target.chat_id, origin_message_id)
        return shown[0] if len(shown) == 1 else None
