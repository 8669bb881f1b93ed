"""Subscribing, unsubscribing and delivery settings of a chat."""

from __future__ import annotations

import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import DEFAULT_LANGUAGE, _
from bot.services.text.tags import normalize_tags
from bot.services.text.timeutil import next_digest_time
from storage.articles import ArticleRepository
from storage.deliveries import DeliveryRepository
from storage.models import Subscriber
from storage.subscribers import SubscriberRepository

MAX_TOPICS = 20
MAX_WORDS = 20  # per list (followed, muted)
MAX_WORD_LENGTH = 40
# The full-text index's tokenizer (unicode61) keeps letters and digits; so do words.
_WORD_TOKENS = re.compile(r"[^\W_]+")


def normalize_words(raw: Sequence[str]) -> tuple[str, ...]:
    """'Rail', ' high-speed trains' -> ('rail', 'high speed trains'): lower-case tokens, as
    the full-text index spells them, deduplicated in order."""
    seen: dict[str, None] = {}
    for item in raw:
        word = " ".join(_WORD_TOKENS.findall(item.lower()))
        if word:
            seen.setdefault(word, None)
    return tuple(seen)


class SubscriptionService:
    """Everything a reader can change about their subscription."""

    def __init__(
        self,
        subscribers: SubscriberRepository,
        deliveries: DeliveryRepository,
        articles: ArticleRepository,
        clock: Clock,
        default_tz: ZoneInfo,
        sections: tuple[str, ...] = (),
    ) -> None:
        self.subscribers = subscribers
        self.deliveries = deliveries
        self.articles = articles
        self.clock = clock
        self.default_tz = default_tz
        # With SECTIONS set, readers choose among them (any tag otherwise).
        self.sections = sections

    async def get(self, chat_id: int) -> Subscriber | None:
        """The chat's subscription, if it ever subscribed."""
        return await self.subscribers.get(chat_id)

    async def topic_choices(self) -> list[str]:
        """The most used article tags, offered as topics to follow."""
        return await self.articles.popular_tags()

    async def subscribe(
        self,
        chat_id: int,
        chat_type: str,
        name: str,
        source: str = "",
        language: str = DEFAULT_LANGUAGE,
    ) -> bool:
        """Subscribe or resubscribe; True when the chat was not subscribed before.
        `source` records where a new chat came from (a deep link's campaign), `language`
        the new subscriber's language (Telegram's, for the person subscribing)."""
        return await self.subscribers.subscribe(
            chat_id, chat_type, name, self.default_tz.key, self.clock.now(), source, language
        )

    async def languages(self, chat_ids: Sequence[int]) -> dict[int, str]:
        """The stored languages of these chats (others are not in the answer)."""
        return await self.subscribers.languages(chat_ids)

    async def follow_topic_from_link(self, chat_id: int, tag: str, new_chat: bool) -> bool:
        """A topic link (?start=t-<tag>): a new chat follows just that topic; a chat that
        picked topics adds it; one that gets everything already has it. True if followed."""
        current = await self.subscribers.topics(chat_id)
        if tag in current:
            return True
        if not current and not new_chat:
            return False
        try:
            await self.set_topics(chat_id, [*current, tag])
        except ValueError:  # already at MAX_TOPICS
            return False
        return True

    async def unsubscribe(self, chat_id: int) -> bool:
        """Stop deliveries and cancel anything pending; False when not subscribed."""
        current = await self.subscribers.get(chat_id)
        if current is None or current.status == "unsubscribed":
            return False
        await self.subscribers.set_status(chat_id, "unsubscribed", None, self.clock.now())
        await self.deliveries.cancel_chat(chat_id)
        return True

    async def mark_unreachable(self, chat_id: int, reason: str) -> None:
        """The chat blocked the bot or is gone: skip it from now on."""
        now = self.clock.now()
        current = await self.subscribers.get(chat_id)
        if current is not None and current.status == "active":
            await self.subscribers.set_status(chat_id, "inactive", reason, now)
        await self.deliveries.fail_chat(chat_id, reason, now)

    async def mark_reachable(self, chat_id: int) -> None:
        """The chat unblocked the bot: deliver to it again if it had been subscribed."""
        current = await self.subscribers.get(chat_id)
        if current is not None and current.status == "inactive":
            await self.subscribers.set_status(chat_id, "active", None, self.clock.now())

    async def migrate(self, old_id: int, new_id: int) -> None:
        """Keep a group's subscription when it becomes a supergroup."""
        await self.subscribers.migrate_chat(old_id, new_id, self.clock.now())

    async def set_instant(self, chat_id: int) -> Subscriber | None:
        """Deliver each article as it is published."""
        await self.subscribers.set_schedule(chat_id, mode="instant", now=self.clock.now())
        await self.deliveries.reschedule_chat(chat_id, "instant", self.clock.now())
        return await self.subscribers.get(chat_id)

    async def set_digest(
        self, chat_id: int, hour: int | None = None, timezone: ZoneInfo | None = None
    ) -> Subscriber | None:
        """Deliver one daily digest at `hour` local time (keeps the current hour/zone if None)."""
        if hour is not None and not 0 <= hour <= 23:
            raise ValueError("hour must be 0-23")
        now = self.clock.now()
        await self.subscribers.set_schedule(
            chat_id, mode="digest", hour=hour, timezone=timezone.key if timezone else None, now=now
        )
        return await self._reschedule_digest(chat_id)

    async def set_timezone(self, chat_id: int, timezone: ZoneInfo) -> Subscriber | None:
        """Change the chat's time zone; a pending digest moves with it."""
        await self.subscribers.set_schedule(chat_id, timezone=timezone.key, now=self.clock.now())
        return await self._reschedule_digest(chat_id)

    async def _reschedule_digest(self, chat_id: int) -> Subscriber | None:
        current = await self.subscribers.get(chat_id)
        if current is not None and current.mode == "digest":
            due = next_digest_time(
                self.clock.now(), current.digest_hour, ZoneInfo(current.timezone)
            )
            await self.deliveries.reschedule_chat(chat_id, "digest", due)
        return current

    async def set_topics(self, chat_id: int, tags: Sequence[str]) -> Subscriber | None:
        """Follow only these tags (none means everything); with SECTIONS set, only sections
        (ValueError names the first that is not one)."""
        clean = normalize_tags(tags)
        if len(clean) > MAX_TOPICS:
            raise ValueError(_("At most {n} topics.").format(n=MAX_TOPICS))
        others = [tag for tag in clean if self.sections and tag not in self.sections]
        if others:
            raise ValueError(
                _("#{tag} is not one of our sections: {sections}.").format(
                    tag=others[0], sections=", ".join(f"#{s}" for s in self.sections)
                )
            )
        await self.subscribers.set_topics(chat_id, clean)
        return await self.subscribers.get(chat_id)

    async def set_words(self, chat_id: int, kind: str, raw: Sequence[str]) -> Subscriber | None:
        """Replace the words a chat follows (kind 'follow') or mutes ('mute'); a word moves
        from the other list. Raises ValueError with the reason for a list that is too long."""
        words = normalize_words(raw)
        if len(words) > MAX_WORDS:
            raise ValueError(_("At most {n} words.").format(n=MAX_WORDS))
        too_long = [w for w in words if len(w) > MAX_WORD_LENGTH]
        if too_long:
            raise ValueError(
                _("A word can have at most {n} characters.").format(n=MAX_WORD_LENGTH)
            )
        await self.subscribers.set_words(chat_id, kind, words)
        return await self.subscribers.get(chat_id)

    async def toggle_topic(self, chat_id: int, tag: str) -> Subscriber | None:
        """Follow a tag, or stop following it (a topic from before SECTIONS can be dropped)."""
        current = await self.subscribers.topics(chat_id)
        if tag in current:
            await self.subscribers.set_topics(chat_id, [t for t in current if t != tag])
            return await self.subscribers.get(chat_id)
        return await self.set_topics(chat_id, [*current, tag])
