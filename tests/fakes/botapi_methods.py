"""Bot API method handlers of the fake, validating like Telegram."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.botapi_engagement import EngagementSide, check_photo
from tests.fakes.botapi_models import (
    ApiError,
    Params,
    SentFile,
    SentMessage,
    bad_request,
    param_bool,
    param_int,
    param_json,
    param_str,
)
from tests.fakes.botapi_validation import parse_commands, parse_reply_markup, parse_text

UploadedFiles = dict[str, tuple[str, bytes, str | None]]  # part name -> (filename, data, mime)
Handler = Callable[[Params, UploadedFiles], Awaitable[Any]]

_DELETE_LIMIT = timedelta(hours=48)
_MAX_UPLOAD = 50 * 1024 * 1024
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Telegram's default when allowed_updates was never set: everything but these.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


# The rights every ChatMemberAdministrator object carries.
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


class BotApiMethods(EngagementSide):
    """The method implementations; ``handlers`` maps lower-cased method names to them."""

    def __init__(self, token: str, **kwargs: Any) -> None:
        super().__init__(token, **kwargs)
        self.stopping = asyncio.Event()
        self._poll_generation = 0
        self._allowed_updates: set[str] | None = None
        self.handlers: dict[str, Handler] = {
            name.removeprefix("_api_"): getattr(self, name)
            for name in dir(type(self))
            if name.startswith("_api_")
        }

    # -- helpers --------------------------------------------------------------------------

    def _chat_id(self, params: Params) -> int:
        raw = params.get("chat_id")
        if isinstance(raw, str) and raw.startswith("@"):
            return self.resolve_chat(raw)
        value = param_int(params, "chat_id")
        assert value is not None
        return value

    def _reply_target(self, params: Params, chat_id: int) -> int | None:
        reply = param_json(params, "reply_parameters") or {}
        if not isinstance(reply, dict):
            raise bad_request("can't parse reply parameters JSON object")
        target = reply.get("message_id", params.get("reply_to_message_id"))
        if target in (None, ""):
            return None
        allow = bool(reply.get("allow_sending_without_reply")) or param_bool(
            params, "allow_sending_without_reply"
        )
        target = int(target)
        if self.any_message(chat_id, target) is None:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _new_message(self, params: Params, chat_id: int, method: str, **extra: Any) -> SentMessage:
        self.check_can_post(self.chats[chat_id], method)
        return SentMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(chat_id),
            text=extra.pop("text"),
            parse_mode=param_str(params, "parse_mode"),
            reply_markup=parse_reply_markup(params),
            reply_to_message_id=self._reply_target(params, chat_id),
            link_preview_options=param_json(params, "link_preview_options"),
            date=self.now(),
            method=method,
            allow_paid_broadcast=param_bool(params, "allow_paid_broadcast"),
            **extra,
        )

    def _editable(self, params: Params) -> SentMessage:
        if params.get("inline_message_id"):
            raise bad_request("the fake Bot API does not implement inline messages")
        chat = self.chat_for_send(self._chat_id(params))
        message_id = param_int(params, "message_id")
        assert message_id is not None
        msg = self.bot_message(chat.id, message_id)
        if msg is None or msg.deleted:
            if self.user_message(chat.id, message_id) is not None:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return msg

    # -- updates and webhooks -------------------------------------------------------------

    async def _api_getme(self, params: Params, files: UploadedFiles) -> Any:
        return {
            **self.bot_user.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.inline_mode,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _update_wanted(self, update: dict[str, Any]) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    def _confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    async def _api_getupdates(self, params: Params, files: UploadedFiles) -> Any:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = param_json(params, "allowed_updates")
        if isinstance(allowed, list):
            # Like Telegram the setting persists; an empty list restores the default.
            self._allowed_updates = set(allowed) or None
        limit = min(max(param_int(params, "limit", required=False) or 100, 1), 100)
        timeout = float(param_int(params, "timeout", required=False) or 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self.notify_updates()  # a long poll still waiting is superseded: Telegram answers 409
        deadline = time.monotonic() + timeout
        while True:
            self._confirm(param_int(params, "offset", required=False))
            # Updates of types the bot did not ask for are dropped, as Telegram does.
            self.updates = [u for u in self.updates if self._update_wanted(u)]
            if self.updates or time.monotonic() >= deadline or self.stopping.is_set():
                return self.updates[:limit]
            await self.updates_changed(deadline - time.monotonic())
            if generation != self._poll_generation:
                # Grace period: if the old poller hung up (a bot shutting down), aiohttp cancels
                # this handler now and no 409 is recorded against a client that is gone.
                await asyncio.sleep(0.05)
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure "
                    "that only one bot instance is running",
                )

    async def _api_deletewebhook(self, params: Params, files: UploadedFiles) -> Any:
        self.webhook_url = ""
        if param_bool(params, "drop_pending_updates"):
            self.updates.clear()
        return True

    async def _api_setwebhook(self, params: Params, files: UploadedFiles) -> Any:
        url = param_str(params, "url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if param_bool(params, "drop_pending_updates"):
            self.updates.clear()
        return True

    async def _api_getwebhookinfo(self, params: Params, files: UploadedFiles) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    # -- commands ---------------------------------------------------------------------------

    def _commands_key(self, params: Params) -> str:
        """Telegram's key for a command list: scope and language, both validated."""
        scope = param_json(params, "scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise bad_request("can't parse BotCommandScope")
        chat = scope.get("chat_id", "")
        if scope["type"] in ("chat", "chat_administrators", "chat_member"):
            found = self.chats.get(int(chat)) if str(chat).lstrip("-").isdigit() else None
            if found is None:
                raise bad_request("chat not found")
        language = str(params.get("language_code") or "")
        if language and not (len(language) == 2 and language.isalpha() and language.islower()):
            raise bad_request("invalid language code specified")
        return f"{scope['type']}:{chat}:{language}"

    def menu(self, language: str = "", chat_id: int | None = None) -> list[str]:
        """The command names a user of this language sees in this chat, as Telegram picks:
        the chat's scope before the default one, the language's list before the default."""
        scopes = ([f"chat:{chat_id}"] if chat_id is not None else []) + ["default:"]
        for scope in scopes:
            for lang in (language, ""):
                found = self.commands.get(f"{scope}:{lang}")
                if found:
                    return [c["command"] for c in found]
        return []

    async def _api_setmycommands(self, params: Params, files: UploadedFiles) -> Any:
        self.commands[self._commands_key(params)] = parse_commands(params)
        return True

    async def _api_getmycommands(self, params: Params, files: UploadedFiles) -> Any:
        return self.commands.get(self._commands_key(params), [])

    async def _api_deletemycommands(self, params: Params, files: UploadedFiles) -> Any:
        self.commands.pop(self._commands_key(params), None)
        return True

    # -- messages ---------------------------------------------------------------------------

    async def _api_sendmessage(self, params: Params, files: UploadedFiles) -> Any:
        chat = self.chat_for_send(self._chat_id(params))
        text, entities = parse_text(params)
        msg = self._new_message(params, chat.id, "sendMessage", text=text, entities=entities)
        msg.raw_text = str(params.get("text"))
        self.store_bot_message(msg)
        self.copy_to_discussion(msg)
        return self.render(msg)

    async def _api_editmessagetext(self, params: Params, files: UploadedFiles) -> Any:
        msg = self._editable(params)
        if msg.file_id:
            raise bad_request("there is no text in the message to edit")
        text, entities = parse_text(params)
        markup = parse_reply_markup(params, inline_only=True)
        if (text, entities, markup) == (msg.text, msg.entities, msg.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        msg.edited.append(msg.text)
        msg.text, msg.entities, msg.raw_text = text, entities, str(params.get("text"))
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        msg.reply_markup = markup
        msg.parse_mode = param_str(params, "parse_mode")
        msg.edit_date = self.now()
        self.notify()
        return self.render(msg)

    async def _api_editmessagecaption(self, params: Params, files: UploadedFiles) -> Any:
        msg = self._editable(params)
        if not msg.file_id:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = parse_text(params, "caption", caption=True)
        markup = parse_reply_markup(params, inline_only=True)
        if (caption, entities, markup) == (msg.text, msg.entities, msg.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        msg.edited.append(msg.text)
        msg.text, msg.entities, msg.raw_text = caption, entities, str(params.get("caption"))
        msg.reply_markup = markup
        msg.parse_mode = param_str(params, "parse_mode")
        msg.edit_date = self.now()
        self.notify()
        return self.render(msg)

    async def _api_editmessagereplymarkup(self, params: Params, files: UploadedFiles) -> Any:
        msg = self._editable(params)
        markup = parse_reply_markup(params, inline_only=True)
        if markup == msg.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        msg.reply_markup = markup
        msg.edit_date = self.now()
        self.notify()
        return self.render(msg)

    async def _api_deletemessage(self, params: Params, files: UploadedFiles) -> Any:
        chat = self.chat_for_send(self._chat_id(params))
        message_id = param_int(params, "message_id")
        assert message_id is not None
        msg = self.bot_message(chat.id, message_id)
        user_msg = self.user_message(chat.id, message_id)
        if msg is not None and not msg.deleted:
            sent_at = msg.date
        elif user_msg is not None and (chat.type == "private" or chat.bot_can_delete):
            sent_at = datetime.fromtimestamp(user_msg["date"], tz=UTC)
        elif user_msg is not None:
            raise bad_request("message can't be deleted")
        else:
            raise bad_request("message to delete not found")
        if self.now() - sent_at > _DELETE_LIMIT:
            raise bad_request("message can't be deleted for everyone")
        if msg is not None:
            msg.deleted = True
        else:
            self._user_msgs.pop((chat.id, message_id))
        self.notify()
        return True

    async def _api_answercallbackquery(self, params: Params, files: UploadedFiles) -> Any:
        query_id = param_str(params, "callback_query_id") or ""
        if self.pending_queries.get(query_id, True):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = param_str(params, "text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.pending_queries[query_id] = True
        self.answered_at[query_id] = time.monotonic()
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": param_bool(params, "show_alert"),
            "url": param_str(params, "url"),
            "cache_time": param_int(params, "cache_time", required=False),
        }
        self.notify()
        return True

    async def _api_getchatmember(self, params: Params, files: UploadedFiles) -> Any:
        chat = self.chat_for_send(self._chat_id(params))
        user_id = param_int(params, "user_id")
        if user_id == self.bot_user.id:
            return self.bot_member(chat)
        known = self.chats.get(user_id or 0)
        if user_id is None or known is None or known.user is None:
            raise bad_request("user not found")
        status = chat.member_status(user_id) if chat.type != "private" else "member"
        member: dict[str, Any] = {"status": status, "user": known.user.to_dict()}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member |= {"can_be_edited": False, "is_anonymous": False}
            member |= dict.fromkeys(_ADMIN_RIGHTS, True)
        return member

    async def _api_sendchataction(self, params: Params, files: UploadedFiles) -> Any:
        self.chat_for_send(self._chat_id(params))
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # -- files ------------------------------------------------------------------------------

    async def _api_getfile(self, params: Params, files: UploadedFiles) -> Any:
        file_id = param_str(params, "file_id") or ""
        if file_id not in self.files:
            raise bad_request("invalid file_id")
        path, data = self.files[file_id]
        if self.files_too_big(data):
            raise bad_request("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(data),
            "file_path": path,
        }

    def _upload(self, params: Params, files: UploadedFiles, field: str) -> SentFile:
        value = params.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value.removeprefix("attach://"))
        else:
            part = files.get(field)
        if part is None:
            if isinstance(value, str) and value in self.files:
                path, data = self.files[value]
                return SentFile(path.rsplit("/", 1)[-1], data)
            if isinstance(value, str) and field == "photo" and value.startswith("http"):
                return self.fetch_web_photo(value)
            if value:
                raise bad_request("wrong file identifier/HTTP URL specified")
            raise bad_request(f"there is no {field} in the request")
        filename, data, mime = part
        if not data:
            raise bad_request("file must be non-empty")
        if len(data) > _MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        return SentFile(filename, data, mime)

    async def _send_file(self, params: Params, files: UploadedFiles, kind: str) -> Any:
        chat = self.chat_for_send(self._chat_id(params))
        upload = self._upload(params, files, kind)
        if kind == "photo" and str(params.get("photo") or "attach://").startswith("attach://"):
            check_photo(upload.data)  # an uploaded file (a URL is fetched and checked apart)
        caption, entities = parse_text(params, "caption", caption=True)
        method = "sendDocument" if kind == "document" else "sendPhoto"
        msg = self._new_message(
            params, chat.id, method, text=caption, entities=entities, document=upload
        )
        msg.file_id, _ = self.new_file(upload.data, f"{kind}s")
        msg.raw_text = str(params.get("caption") or "")
        self.store_bot_message(msg)
        self.copy_to_discussion(msg)
        return self.render(msg)

    async def _api_senddocument(self, params: Params, files: UploadedFiles) -> Any:
        return await self._send_file(params, files, "document")

    async def _api_sendphoto(self, params: Params, files: UploadedFiles) -> Any:
        return await self._send_file(params, files, "photo")
