"""Readers' engagement with articles: reactions, taps on suggestions, opened comments."""

from __future__ import annotations

from collections.abc import Sequence

from storage.engagement import EngagementRepository


def reaction_delta(
    old: Sequence[str], new: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(taken back, added) between one reader's old and new reactions to a message."""
    before, after = dict.fromkeys(old), dict.fromkeys(new)
    return tuple(e for e in before if e not in after), tuple(e for e in after if e not in before)


class EngagementService:
    """Counts what readers do with article messages, each in the write that records it."""

    def __init__(self, repository: EngagementRepository) -> None:
        self.repository = repository

    async def reaction_changed(
        self, chat_id: int, message_id: int, old: Sequence[str], new: Sequence[str]
    ) -> bool:
        """A reader changed their reactions to a message; False if it shows no one article."""
        removed, added = reaction_delta(old, new)
        if not removed and not added:
            return False
        return await self.repository.react(chat_id, message_id, removed, added)

    async def related_tapped(self, chat_id: int, message_id: int) -> None:
        """A reader opened a "You may also like" suggestion under an article message."""
        await self.repository.related_tap(chat_id, message_id)

    async def comments_opened(self, article_id: int) -> None:
        """A reader opened an article's comments (or the Comment prompt)."""
        await self.repository.comments_opened(article_id)
