"""Which language the bot writes to each chat in (no Telegram types).

A subscriber's language is stored (taken from Telegram's `language_code` when they first
subscribe, changed in /settings). Anyone else is answered in the language their Telegram
app reports. Chats the bot writes to on its own (admins' notices) use the stored language,
or the one last seen in an update from that chat, else English.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from bot.clock import Clock
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, normalize
from storage.subscribers import SubscriberRepository

CACHE_SIZE = 10_000


class LanguageService:
    """Chats' languages: stored choices, with a bounded memory of recent ones."""

    def __init__(self, subscribers: SubscriberRepository, clock: Clock) -> None:
        self.subscribers = subscribers
        self.clock = clock
        # Stored choices (a read per update would cost every command a query), and the
        # Telegram language last seen from chats with no stored choice.
        self._stored: OrderedDict[int, str] = OrderedDict()
        self._seen: OrderedDict[int, str] = OrderedDict()
        self._fixed: dict[int, str] = {}  # chats whose language is configured (the channel)

    @staticmethod
    def _remember(memory: OrderedDict[int, str], chat_id: int, language: str) -> None:
        memory[chat_id] = language
        memory.move_to_end(chat_id)
        if len(memory) > CACHE_SIZE:
            memory.popitem(last=False)

    def fix(self, chat_id: int, language: str) -> None:
        """Write to this chat in this language, whatever else says (CHANNEL_LANGUAGE)."""
        self._fixed[chat_id] = language

    async def _stored_choice(self, chat_id: int) -> str | None:
        if chat_id in self._fixed:
            return self._fixed[chat_id]
        if chat_id in self._stored:
            return self._stored[chat_id]
        if chat_id in self._seen:
            # Known to have no stored language (a non-subscriber, the discussion group, an
            # inline query's user): no query per update. Subscribing forgets it (`forget`).
            return None
        language = (await self.subscribers.languages([chat_id])).get(chat_id)
        if language is not None:
            self._remember(self._stored, chat_id, language)
        return language

    async def for_update(self, chat_id: int, telegram_code: str | None) -> str:
        """The language to answer an update in: the chat's stored choice, else the sender's
        Telegram language (also remembered, for notices the bot sends later)."""
        stored = await self._stored_choice(chat_id)
        if stored is not None:
            return stored
        language = normalize(telegram_code)
        self._remember(self._seen, chat_id, language)
        return language

    async def of(self, chat_id: int) -> str:
        """The language to write to a chat in, without an update from it (notices)."""
        stored = await self._stored_choice(chat_id)
        return stored or self._seen.get(chat_id, DEFAULT_LANGUAGE)

    async def of_many(self, chat_ids: Sequence[int]) -> dict[int, str]:
        """Stored languages of many chats at once (a batch of deliveries); others: English."""
        stored = await self.subscribers.languages(chat_ids) | {
            chat_id: self._fixed[chat_id] for chat_id in chat_ids if chat_id in self._fixed
        }
        return {chat_id: stored.get(chat_id, DEFAULT_LANGUAGE) for chat_id in chat_ids}

    async def choose(self, chat_id: int, language: str) -> bool:
        """Store a chat's choice; False when the language is not one the bot speaks."""
        if language not in LANGUAGES:
            return False
        if await self.subscribers.set_language(chat_id, language, self.clock.now()):
            self._remember(self._stored, chat_id, language)
        else:  # not subscribed: nothing to store, but answer in it from now on
            self._remember(self._seen, chat_id, language)
        return True

    def forget(self, chat_id: int) -> None:
        """Drop what is remembered of a chat (it moved to a new id, or just subscribed)."""
        self._stored.pop(chat_id, None)
        self._seen.pop(chat_id, None)
