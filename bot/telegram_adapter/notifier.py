"""The Telegram side of the services' Notifier: sends, edits and deletes with a PTB bot."""

from __future__ import annotations

import functools
import json
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.ext import ExtBot

from bot.services.messaging import notifier as n
from bot.telegram_adapter.errors import translate
from bot.telegram_adapter.lanes import BroadcastLanes


def to_markup(keyboard: n.Keyboard) -> InlineKeyboardMarkup | None:
    """Our Button rows as Telegram's inline keyboard."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    b.text,
                    callback_data=b.callback_data,
                    url=b.url,
                    switch_inline_query=b.switch_inline_query,
                )
                for b in row
            ]
            for row in keyboard
        ]
    )


def link_preview(message: n.OutgoingMessage) -> LinkPreviewOptions:
    """Telegram's preview options for a message."""
    if message.disable_preview or not message.link_preview_url:
        return LinkPreviewOptions(is_disabled=message.disable_preview)
    return LinkPreviewOptions(url=message.link_preview_url, prefer_large_media=True)


@functools.lru_cache(maxsize=64)
def keyboard_json(keyboard: n.Keyboard) -> str:
    """An inline keyboard as the JSON Telegram takes (cached: a broadcast reuses one)."""
    markup = to_markup(keyboard)
    return json.dumps(markup.to_dict() if markup else {}, ensure_ascii=False)


@functools.lru_cache(maxsize=64)
def preview_json(disabled: bool, url: str | None) -> str:
    """Link preview options as JSON (cached like keyboard_json)."""
    options = link_preview(
        n.OutgoingMessage(0, "", disable_preview=disabled, link_preview_url=url)
    )
    return json.dumps(options.to_dict(), ensure_ascii=False)


class TelegramNotifier:
    """Implements the services' Notifier with a PTB Bot."""

    def __init__(
        self,
        bot: ExtBot[Any],
        *,
        paid_broadcast: bool = False,
        lanes: BroadcastLanes | None = None,
    ) -> None:
        self.bot = bot
        self.paid_broadcast = paid_broadcast
        self.lanes = lanes  # broadcast requests go through these when given

    async def close(self) -> None:
        """Close the broadcast lanes' connections (the main bot is PTB's to close)."""
        if self.lanes is not None:
            await self.lanes.close()

    async def send(self, message: n.OutgoingMessage, *, broadcast: bool = False) -> int:
        """Send an HTML message; broadcast messages yield to people waiting for answers."""
        if broadcast:
            return await self._send_broadcast(message)
        extra: dict[str, Any] = {}
        if message.reply_to:
            extra["reply_parameters"] = ReplyParameters(
                message.reply_to, allow_sending_without_reply=True
            )
        try:
            if message.photo_url:
                sent = await self.bot.send_photo(
                    chat_id=message.chat_id,
                    photo=message.photo_url,
                    caption=message.caption,
                    parse_mode=ParseMode.HTML,
                    reply_markup=to_markup(message.keyboard),
                    **extra,
                )
            else:
                sent = await self.bot.send_message(
                    chat_id=message.chat_id,
                    text=message.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=to_markup(message.keyboard),
                    link_preview_options=link_preview(message),
                    **extra,
                )
        except Exception as exc:
            raise translate(exc) from exc
        return sent.message_id

    async def _send_broadcast(self, message: n.OutgoingMessage) -> int:
        """The broadcast hot path: the same request, without building PTB objects per chat.

        One article goes to thousands of chats with the same keyboard and preview, so their
        JSON is encoded once, and the answer is read as plain JSON instead of a full Message
        (which costs more than the HTTP round trip on the fake). Bot API method names are
        case-insensitive; the lower-case name is PTB's documented way in for raw calls
        (`do_api_request` warns only when an attribute of that name exists).
        """
        params: dict[str, Any] = {"chat_id": message.chat_id, "parse_mode": ParseMode.HTML.value}
        if message.photo_url:
            endpoint = "sendphoto"  # Telegram fetches the photo from its URL
            params |= {"photo": message.photo_url, "caption": message.caption}
        else:
            endpoint = "sendmessage"
            params["text"] = message.text
            params["link_preview_options"] = preview_json(
                message.disable_preview, message.link_preview_url
            )
        if message.keyboard:
            params["reply_markup"] = keyboard_json(message.keyboard)
        if self.paid_broadcast:
            params["allow_paid_broadcast"] = True
        try:
            bot = self.lanes.next() if self.lanes is not None else self.bot
            result = await bot.do_api_request(
                endpoint, api_kwargs=params, rate_limit_args={"broadcast": True}
            )
        except Exception as exc:
            raise translate(exc) from exc
        return int(result["message_id"])

    async def edit(
        self, message: n.OutgoingMessage, message_id: int, *, broadcast: bool = False
    ) -> None:
        """Replace a message's text (a photo card's caption) and buttons (mass edits pass
        broadcast=True)."""
        try:
            if message.is_photo:
                await self.bot.edit_message_caption(
                    chat_id=message.chat_id,
                    message_id=message_id,
                    caption=message.caption,
                    parse_mode=ParseMode.HTML,
                    reply_markup=to_markup(message.keyboard),
                    rate_limit_args={"broadcast": True} if broadcast else None,
                )
                return
            await self.bot.edit_message_text(
                chat_id=message.chat_id,
                message_id=message_id,
                text=message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=to_markup(message.keyboard),
                link_preview_options=link_preview(message),
                rate_limit_args={"broadcast": True} if broadcast else None,
            )
        except Exception as exc:
            raise translate(exc) from exc

    async def delete(self, chat_id: int, message_id: int, *, broadcast: bool = False) -> None:
        """Delete a message (Telegram allows it for 48 hours)."""
        try:
            await self.bot.delete_message(
                chat_id=chat_id,
                message_id=message_id,
                rate_limit_args={"broadcast": True} if broadcast else None,
            )
        except Exception as exc:
            raise translate(exc) from exc
