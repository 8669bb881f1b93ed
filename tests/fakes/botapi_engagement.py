"""Reactions, inline queries and photos in the fake Bot API, validated as Telegram does."""

from __future__ import annotations

import struct
import time
from typing import Any

from tests.fakes.botapi_channels import ChannelSide
from tests.fakes.botapi_models import Params, bad_request, param_json, param_str
from tests.fakes.botapi_validation import check_inline_markup, parse_text

MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_NEXT_OFFSET_BYTES = 64
INLINE_ANSWER_SECONDS = 10.0  # Telegram drops an inline query not answered in time
MAX_PHOTO_BYTES = 10 * 1024 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8"


def photo_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG upload; Telegram refuses anything else."""
    if data.startswith(_PNG) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(_JPEG):
        return _jpeg_size(data)
    raise bad_request("IMAGE_PROCESS_FAILED")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            break
        marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    raise bad_request("IMAGE_PROCESS_FAILED")


def check_photo(data: bytes) -> tuple[int, int]:
    """sendPhoto's rules: a real image, at most 10 MB, width + height at most 10000, and a
    side ratio of at most 20."""
    if len(data) > MAX_PHOTO_BYTES:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    width, height = photo_size(data)
    if width <= 0 or height <= 0 or width + height > 10_000:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    if max(width, height) / min(width, height) > 20:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def _check_result(result: Any, seen: set[str]) -> None:
    if not isinstance(result, dict):
        raise bad_request("can't parse inline query result")
    result_id = result.get("id")
    if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= MAX_RESULT_ID_BYTES:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if result.get("type") != "article":
        raise bad_request(f"the fake Bot API implements article results only: {result!r}")
    title = result.get("title")
    if not isinstance(title, str) or not title.strip():
        raise bad_request("RESULT_TITLE_EMPTY")
    for field in ("description", "url", "thumbnail_url"):
        if field in result and not isinstance(result[field], str):
            raise bad_request(f"can't parse inline query result: {field} must be a String")
    content = result.get("input_message_content")
    if not isinstance(content, dict) or "message_text" not in content:
        raise bad_request("the fake Bot API implements text input_message_content only")
    parse_text({"text": content["message_text"], "parse_mode": content.get("parse_mode")})
    if "reply_markup" in result:
        check_inline_markup(result["reply_markup"])


class EngagementSide(ChannelSide):
    """Readers reacting to messages and typing `@bot query`; the bot answering."""

    def __init__(self, token: str, **kwargs: Any) -> None:
        super().__init__(token, **kwargs)
        self.inline_mode = True  # as after /setinline with @BotFather
        self._reactions: dict[tuple[int, int, int], list[str]] = {}
        self._inline_asked: dict[str, float] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}

    # -- the user side --------------------------------------------------------------------

    def react(self, user_id: int, chat_id: int, message_id: int, emojis: list[str]) -> None:
        """The user sets their reactions on a bot message ([] takes them back)."""
        user = self.user(user_id)
        msg = self.bot_message(chat_id, message_id)
        if msg is None or msg.deleted:
            raise KeyError(f"no bot message {message_id} in chat {chat_id}")
        key = (chat_id, message_id, user_id)
        old = self._reactions.get(key, [])
        self._reactions[key] = list(emojis)
        self.queue_update(
            {
                "message_reaction": {
                    "chat": self.chats[chat_id].to_dict(),
                    "message_id": message_id,
                    "user": user.to_dict(),
                    "date": int(self.now().timestamp()),
                    "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
                    "new_reaction": [{"type": "emoji", "emoji": e} for e in emojis],
                }
            }
        )

    def inline_query(self, user_id: int, query: str, *, chat_type: str = "private") -> str:
        """The user types `@bot query` in some chat; returns the inline query id."""
        if not self.inline_mode:
            raise AssertionError("inline mode is off: Telegram sends no inline queries")
        user = self.user(user_id)
        query_id = f"iq{next(self._query_ids)}{user_id}"
        self._inline_asked[query_id] = time.monotonic()
        self.queue_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "query": query[:256],  # Telegram cuts the query at 256 characters
                    "offset": "",
                    "chat_type": chat_type,
                }
            }
        )
        return query_id

    async def wait_for_inline_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The bot's answerInlineQuery for this query: results, cache_time, is_personal..."""
        await self.wait_until(
            lambda: query_id in self.inline_answers, timeout, f"inline query {query_id} answered"
        )
        return self.inline_answers[query_id]

    # -- the Bot API side -----------------------------------------------------------------

    async def _api_answerinlinequery(self, params: Params, files: Any) -> Any:
        query_id = param_str(params, "inline_query_id") or ""
        asked = self._inline_asked.get(query_id)
        if (
            asked is None
            or query_id in self.inline_answers
            or time.monotonic() - asked > INLINE_ANSWER_SECONDS
        ):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        results = param_json(params, "results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            _check_result(result, seen)
        offset = param_str(params, "next_offset") or ""
        if len(offset.encode()) > MAX_NEXT_OFFSET_BYTES:
            raise bad_request("NEXT_OFFSET_INVALID")
        cache = params.get("cache_time")
        if cache not in (None, "") and not str(cache).isdigit():
            raise bad_request("can't parse cache_time")
        self.inline_answers[query_id] = {
            "results": results,
            "cache_time": None if cache in (None, "") else int(cache),
            "is_personal": str(params.get("is_personal", "")).lower() == "true",
            "next_offset": offset,
        }
        self.notify()
        return True
