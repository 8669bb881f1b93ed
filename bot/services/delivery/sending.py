"""One message to one chat for the engine: per-chat gaps, a migrated group followed to its new
id, and a photo card that falls back to text when Telegram refuses its photo."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from bot.services.delivery.pacing import ChatGate
from bot.services.messaging.article_messages import ArticleComposer
from bot.services.messaging.notifier import (
    ChatMigrated,
    Notifier,
    OutgoingMessage,
    PermanentError,
    PhotoRefused,
)
from bot.services.readers.subscriptions import SubscriptionService
from storage.models import Delivery

log = logging.getLogger(__name__)


class Sender:
    """Sends the engine's messages, keeping each chat's gap between them."""

    def __init__(
        self, notifier: Notifier, subscriptions: SubscriptionService, composer: ArticleComposer
    ) -> None:
        self.notifier = notifier
        self.subscriptions = subscriptions
        self.composer = composer
        self.gate = ChatGate()

    async def send_card(self, delivery: Delivery) -> int:
        """Send a photo card; if Telegram refuses the photo, send the article as text and
        keep it text for the rest of the broadcast (only one sender tries the photo first)."""
        async with self.composer.photo_trial(delivery.article_id):
            # Composed again: the photo may have been refused while this sender waited.
            message = await self.composer.compose(delivery.article_id, delivery.chat_id)
            if message is None:
                raise PermanentError("article withdrawn")
            if not message.is_photo:
                return await self.send(message)
            try:
                message_id = await self.send(message)
            except PhotoRefused as exc:
                log.warning(
                    "article %s: photo refused (%s); sending as text", delivery.article_id, exc
                )
                await self.composer.photo_refused(delivery.article_id)
                return await self.send(message.as_text())
            self.composer.photo_accepted(delivery.article_id)
            return message_id

    async def send(self, message: OutgoingMessage) -> int:
        """Send one broadcast message after the chat's gap; follow a group that migrated."""
        wait = self.gate.reserve(message.chat_id)
        if wait:
            await asyncio.sleep(wait)
        try:
            return await self.notifier.send(message, broadcast=True)
        except ChatMigrated as exc:
            await self.subscriptions.migrate(message.chat_id, exc.new_chat_id)
            moved = replace(message, chat_id=exc.new_chat_id)
            return await self.notifier.send(moved, broadcast=True)
