"""The simulated user side of the fake Bot API, and the tests' waits and assertions."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.fakes.botapi_models import FakeChat, FakeUser, SentMessage
from tests.fakes.botapi_state import FakeState
from tests.fakes.telegram_html import telegram_len

# The user Telegram puts in `from` of an anonymous group admin's messages.
ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


class UserSide(FakeState):
    """What readers do (messages, buttons, blocking) and how tests observe the bot."""

    def __init__(self, token: str, **kwargs: Any) -> None:
        super().__init__(token, **kwargs)
        self._consumed: dict[int, set[int]] = {}

    def _member_update(self, chat_id: int, old: str, new: str) -> None:
        chat = self.chats[chat_id]

        def member(status: str) -> dict[str, Any]:
            # A "kicked" ChatMember always carries until_date (0 = forever) in Telegram's JSON.
            out: dict[str, Any] = {"status": status, "user": self.bot_user.to_dict()}
            return {**out, "until_date": 0} if status == "kicked" else out

        self.queue_update(
            {
                "my_chat_member": {
                    "chat": chat.to_dict(),
                    "from": (chat.user or self.bot_user).to_dict(),
                    "date": int(self.now().timestamp()),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: later sends get 403; a my_chat_member update is queued."""
        self.chats[chat_id].blocked = True
        self._member_update(chat_id, "member", "kicked")

    def unblock(self, chat_id: int) -> None:
        """The user unblocks (restarts) the bot."""
        self.chats[chat_id].blocked = False
        self._member_update(chat_id, "kicked", "member")

    def migrate_group(self, old_id: int, new_id: int, user_id: int | None = None) -> None:
        """Upgrade a group to a supergroup, queueing both service messages like Telegram."""
        old = self.chats[old_id]
        new = self.add_group(new_id, old.title or "", "supergroup", tuple(old.admins))
        sender = self.user(user_id).to_dict() if user_id is not None else self.bot_user.to_dict()
        self._user_message(old, sender, {"migrate_to_chat_id": new_id})
        old.migrated_to = new_id
        self._user_message(new, sender, {"migrate_from_chat_id": old_id})

    # -- the user side --------------------------------------------------------------------

    def queue_update(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update; ``update_id`` is assigned if missing."""
        update = {"update_id": next(self._update_ids), **raw}
        self.queued_at[update["update_id"]] = time.monotonic()
        self.updates.append(update)
        self.notify_updates()
        return update

    def _user_message(
        self,
        chat: FakeChat,
        sender: dict[str, Any],
        content: dict[str, Any],
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "message_id": self.next_message_id(chat.id),
            "from": sender,
            "chat": chat.to_dict(),
            "date": int(self.now().timestamp()),
            **content,
        }
        if reply_to is not None:
            replied = self.any_message(chat.id, reply_to)
            if replied is None:
                raise KeyError(f"message {reply_to} not found in chat {chat.id}")
            msg["reply_to_message"] = replied
        self._user_msgs[(chat.id, msg["message_id"])] = msg
        self.queue_update({"message": msg})
        return msg

    def _sender_chat(self, user_id: int, chat_id: int | None) -> tuple[FakeUser, FakeChat]:
        user = self.user(user_id)
        return user, self.chats[user_id if chat_id is None else chat_id]

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to: int | None = None,
        anonymous: bool = False,
    ) -> dict[str, Any]:
        """The user sends a text message; a leading /command gets its bot_command entity.

        `anonymous`: an anonymous group admin, whose messages come from GroupAnonymousBot
        on behalf of the group itself (sender_chat), as Telegram sends them."""
        user, chat = self._sender_chat(user_id, chat_id)
        content: dict[str, Any] = {"text": text}
        if anonymous:
            content["sender_chat"] = chat.to_dict()
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": telegram_len(command)}
            ]
        sender = ANONYMOUS_ADMIN if anonymous else user.to_dict()
        return self._user_message(chat, sender, content, reply_to)

    def new_file(self, data: bytes, folder: str, suffix: str = "") -> tuple[str, str]:
        """Store file bytes; return (file_id, file_path)."""
        number = next(self._file_ids)
        file_id = f"FILE{number:06d}"
        path = f"{folder}/file_{number}{suffix}"
        self.files[file_id] = (path, data)
        return file_id, path

    def send_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        reply_to: int | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """The user uploads a document (the bot can fetch it with getFile)."""
        user, chat = self._sender_chat(user_id, chat_id)
        suffix = filename[filename.rfind(".") :] if "." in filename else ""
        file_id, _ = self.new_file(data, "documents", suffix)
        doc: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": filename,
            "file_size": len(data),
        }
        if mime_type:
            doc["mime_type"] = mime_type
        content: dict[str, Any] = {"document": doc}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(chat, user.to_dict(), content, reply_to)

    def send_photo(
        self,
        user_id: int,
        caption: str | None = None,
        *,
        data: bytes = b"\xff\xd8fake-jpeg",
        chat_id: int | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo (two sizes, like Telegram's thumbnails)."""
        user, chat = self._sender_chat(user_id, chat_id)
        sizes = []
        for width in (90, 800):
            file_id, _ = self.new_file(data, "photos", ".jpg")
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": f"u{file_id}",
                    "width": width,
                    "height": width * 3 // 4,
                    "file_size": len(data),
                }
            )
        content: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(chat, user.to_dict(), content, reply_to)

    def send_sticker(
        self, user_id: int, emoji: str = "👍", *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user sends a sticker (no text at all)."""
        user, chat = self._sender_chat(user_id, chat_id)
        file_id, _ = self.new_file(b"RIFFwebp", "stickers", ".webp")
        sticker = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._user_message(chat, user.to_dict(), {"sticker": sticker})

    def press_button(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        forge: bool = False,
    ) -> str:
        """The user presses an inline button; returns the callback query id."""
        user = self.user(user_id)
        msg = self.bot_message(chat_id, message_id)
        if msg is None or msg.deleted:
            raise KeyError(f"no bot message {message_id} in chat {chat_id}")
        if not forge and callback_data not in msg.button_data():
            raise AssertionError(
                f"message {message_id} has no button {callback_data!r}; "
                f"it has {msg.button_data()} (pass forge=True to send it anyway)"
            )
        query_id = f"{next(self._query_ids)}{user_id}"
        self.pending_queries[query_id] = False
        self.queue_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "message": self.render(msg),
                    "chat_instance": f"ci{chat_id}",
                    "data": callback_data,
                }
            }
        )
        return query_id

    # -- waiting and asserting (the tests' side) ------------------------------------------

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,
    ) -> SentMessage:
        """The oldest bot message in the chat not yet returned here (and matching predicate)."""
        consumed = self._consumed.setdefault(chat_id, set())
        deadline = time.monotonic() + timeout
        while True:
            for msg in list(self._bot_msgs.get(chat_id, {}).values()):
                if msg.message_id not in consumed and (predicate is None or predicate(msg)):
                    consumed.add(msg.message_id)
                    return msg
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no new bot message in chat {chat_id} within {timeout}s\n{self.dump(chat_id)}"
                )
            await self.changed(remaining)

    async def wait_for_callback_answer(
        self, callback_query_id: str, timeout: float = 5.0
    ) -> dict[str, Any]:
        """Wait until the bot answers the callback query; return the answer's fields."""
        await self.wait_until(
            lambda: callback_query_id in self.callback_answers,
            timeout,
            f"callback query {callback_query_id} was not answered",
        )
        return self.callback_answers[callback_query_id]

    async def wait_until(
        self, condition: Callable[[], bool], timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Wait until ``condition()`` holds (re-checked on every change and every 20 ms)."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{what} not met within {timeout}s\n{self.dump()}")
            # Polling too, because the condition may read state outside the fake (the DB).
            await self.changed(min(remaining, 0.02))

    def assert_no_errors(self, ignore_codes: tuple[int, ...] = ()) -> None:
        """Fail if the bot made any call Telegram would reject (injected faults excluded)."""
        errors = [r for r in self.rejected if not r.injected and r.error_code not in ignore_codes]
        if errors:
            lines = [f"  {r.method} -> {r.error_code} {r.description} {r.params}" for r in errors]
            raise AssertionError("rejected Bot API calls:\n" + "\n".join(lines))

    def dump(self, chat_id: int | None = None, last: int = 5) -> str:
        """A readable summary for assertion messages."""
        lines = []
        if chat_id is not None:
            recent = list(self._bot_msgs.get(chat_id, {}).values())[-last:]
            lines.append(f"last messages in chat {chat_id}:")
            lines += [
                f"  #{m.message_id}{' (deleted)' if m.deleted else ''}: {m.text[:200]!r} "
                f"buttons={m.button_data()}"
                for m in recent
            ] or ["  (none)"]
        lines.append("last rejected calls:")
        lines += [
            f"  {r.method} -> {r.error_code} {r.description}" for r in self.rejected[-last:]
        ] or ["  (none)"]
        lines.append(f"pending updates: {len(self.updates)}")
        return "\n".join(lines)
