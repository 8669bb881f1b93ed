"""Chats, messages and updates of the fake Bot API, plus the simulated user side."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.botapi_models import (
    ApiError,
    FakeChat,
    FakeUser,
    FaultRecord,
    Rejection,
    RequestRecord,
    SentFile,
    SentMessage,
    Stats,
    bad_request,
)

_FILE_CAP = 20 * 1024 * 1024  # getFile refuses bigger files, like Telegram


class FakeState:
    """Everything the fake knows; the HTTP layer and the tests both work on this."""

    def __init__(
        self,
        token: str,
        *,
        bot_username: str = "newsbot_test_bot",
        record_requests: bool = True,
        auto_create_users: bool = False,
    ) -> None:
        self.token = token
        self.bot_user = FakeUser(
            int(token.split(":", maxsplit=1)[0]), "NewsBot", bot_username, "", True
        )
        self.record_requests = record_requests
        # Without request recording (benchmarks) keep only the latest messages per chat.
        self.max_messages_per_chat: int | None = None if record_requests else 16
        self.auto_create_users = auto_create_users
        self.clock_offset = 0.0  # seconds added to the wall clock, to simulate the future
        self.chats: dict[int, FakeChat] = {}
        self.sent: list[SentMessage] = []
        self.requests: list[RequestRecord] = []
        self.rejected: list[Rejection] = []
        self.faults: list[FaultRecord] = []
        self.stats = Stats()
        self.callback_answers: dict[str, dict[str, Any]] = {}
        # time.monotonic() of each update queued and each callback query answered (latency).
        self.queued_at: dict[int, float] = {}
        self.answered_at: dict[str, float] = {}
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.webhook_url = ""
        self.updates: list[dict[str, Any]] = []
        self._bot_msgs: dict[int, OrderedDict[int, SentMessage]] = {}
        self._user_msgs: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_mid: dict[int, int] = {}
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, data)
        self.pending_queries: dict[str, bool] = {}  # callback query id -> answered
        self._changed = asyncio.Event()
        # getUpdates waits on its own event: waking long polls on every bot message would
        # slow the fake down at broadcast rates.
        self._updates_changed = asyncio.Event()

    # -- clock and change notification --------------------------------------------------

    def now(self) -> datetime:
        """The fake's clock (wall clock plus ``clock_offset``), timezone-aware."""
        return datetime.fromtimestamp(time.time() + self.clock_offset, tz=UTC)

    def notify(self) -> None:
        """Wake every waiter; they re-check their condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    def notify_updates(self) -> None:
        """Wake waiting long polls (an update was queued, a poll superseded, or stopping)."""
        self.notify()
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    async def updates_changed(self, timeout: float) -> None:
        """Wait until notify_updates() or `timeout` seconds."""
        event = self._updates_changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(timeout, 0.0))

    async def changed(self, timeout: float) -> None:
        """Wait for the next change or ``timeout`` seconds, whichever comes first."""
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(timeout, 0.0))

    # -- chats ----------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str = "Reader",
        username: str | None = None,
        language_code: str = "en",
    ) -> FakeUser:
        """Create a user and its private chat (chat id == user id)."""
        user = FakeUser(user_id, first_name, username, language_code)
        self.chats[user_id] = FakeChat(user_id, "private", user=user)
        return user

    def add_group(
        self, chat_id: int, title: str, type: str = "group", admins: tuple[int, ...] = ()
    ) -> FakeChat:
        """Create a group or supergroup the bot is a member of; admins[0] is its creator."""
        if type not in {"group", "supergroup"}:
            raise ValueError(type)
        chat = FakeChat(chat_id, type, title=title, admins=list(admins))
        self.chats[chat_id] = chat
        return chat

    def user(self, user_id: int) -> FakeUser:
        """The user with this id (must have been added)."""
        chat = self.chats.get(user_id)
        if chat is None or chat.user is None:
            raise KeyError(f"unknown user {user_id}; call add_user first")
        return chat.user

    def chat_for_send(self, chat_id: int) -> FakeChat:
        """Resolve a chat the bot writes to, raising Telegram's errors."""
        chat = self.chats.get(chat_id)
        if chat is None and self.auto_create_users and chat_id > 0:
            self.add_user(chat_id, f"Reader {chat_id}")
            chat = self.chats[chat_id]
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    # -- messages -------------------------------------------------------------------------

    def next_message_id(self, chat_id: int) -> int:
        """Allocate the next message id in a chat (shared by bot and user messages)."""
        mid = self._next_mid.get(chat_id, 0) + 1
        self._next_mid[chat_id] = mid
        return mid

    def store_bot_message(self, msg: SentMessage) -> None:
        """Record a message the bot sent."""
        box = self._bot_msgs.setdefault(msg.chat_id, OrderedDict())
        box[msg.message_id] = msg
        if self.max_messages_per_chat is not None and len(box) > self.max_messages_per_chat:
            box.popitem(last=False)
        if self.record_requests:
            self.sent.append(msg)
        self.stats.messages_per_chat[msg.chat_id] += 1
        self.notify()

    def bot_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """A bot message (deleted ones included), or None."""
        box = self._bot_msgs.get(chat_id)
        return None if box is None else box.get(message_id)

    def user_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message the simulated user sent, as its Bot API dict."""
        return self._user_msgs.get((chat_id, message_id))

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in a chat that are not deleted, oldest first."""
        return [m for m in self._bot_msgs.get(chat_id, {}).values() if not m.deleted]

    def age_message(self, chat_id: int, message_id: int, hours: float) -> None:
        """Pretend a message was sent ``hours`` earlier than recorded."""
        delta = timedelta(hours=hours)
        bot_msg = self.bot_message(chat_id, message_id)
        if bot_msg is not None:
            bot_msg.date -= delta
            return
        user_msg = self._user_msgs[(chat_id, message_id)]
        user_msg["date"] -= int(delta.total_seconds())

    def render(self, msg: SentMessage, *, nested: bool = False) -> dict[str, Any]:
        """The Bot API Message object for a bot message."""
        out: dict[str, Any] = {
            "message_id": msg.message_id,
            "from": self.bot_user.to_dict(),
            "date": int(msg.date.timestamp()),
            "chat": self.chats[msg.chat_id].to_dict(),
        }
        text_key, ent_key = (
            ("caption", "caption_entities") if msg.file_id else ("text", "entities")
        )
        if msg.text or not msg.file_id:
            out[text_key] = msg.text
        if msg.entities:
            out[ent_key] = msg.entities
        if msg.file_id and msg.document is not None:
            out.update(self._render_file(msg.file_id, msg.method, msg.document))
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            out["reply_markup"] = msg.reply_markup
        if msg.link_preview_options:
            out["link_preview_options"] = msg.link_preview_options
        if msg.edit_date is not None:
            out["edit_date"] = int(msg.edit_date.timestamp())
        if msg.reply_to_message_id is not None and not nested:
            replied = self.any_message(msg.chat_id, msg.reply_to_message_id)
            if replied is not None:
                out["reply_to_message"] = replied
        return out

    @staticmethod
    def _render_file(file_id: str, method: str, file: SentFile) -> dict[str, Any]:
        base = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(file.data)}
        if method == "sendPhoto":
            return {"photo": [{**base, "width": 800, "height": 600}]}
        doc: dict[str, Any] = {**base, "file_name": file.filename}
        if file.mime_type:
            doc["mime_type"] = file.mime_type
        return {"document": doc}

    def any_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Render a bot or user message for use as ``reply_to_message`` (one level deep)."""
        bot_msg = self.bot_message(chat_id, message_id)
        if bot_msg is not None:
            return None if bot_msg.deleted else self.render(bot_msg, nested=True)
        user_msg = self.user_message(chat_id, message_id)
        if user_msg is None:
            return None
        return {k: v for k, v in user_msg.items() if k != "reply_to_message"}

    def files_too_big(self, data: bytes) -> bool:
        """Whether getFile should refuse this file."""
        return len(data) > _FILE_CAP
