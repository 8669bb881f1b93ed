"""Records and small helpers shared by the fake Bot API modules."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

Params = dict[str, Any]


class ApiError(Exception):
    """A Telegram-style failure: becomes {"ok": false, ...} with the matching HTTP status."""

    def __init__(
        self,
        code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        *,
        injected: bool = False,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.injected = injected  # produced by fail_next/set_random_faults, not by the bot


def bad_request(reason: str) -> ApiError:
    """A 400 whose description carries Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class FakeUser:
    """A simulated Telegram user (the reader talking to the bot)."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str = "en"
    is_bot: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the Bot API User object."""
        out: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out


@dataclass
class FakeChat:
    """A chat the bot can talk to; mutable because blocking/migration change it."""

    id: int
    type: str
    title: str | None = None
    user: FakeUser | None = None
    blocked: bool = False
    migrated_to: int | None = None
    # Groups: the users who administer the chat; the first one created it.
    admins: list[int] = field(default_factory=list)
    # Channels and their discussion groups.
    username: str | None = None
    linked_chat_id: int | None = None
    bot_status: str = "administrator"  # the bot's membership in a channel
    bot_can_post: bool = True
    bot_can_delete: bool = False  # groups: the bot is an admin that may delete others' messages

    def member_status(self, user_id: int) -> str:
        """The Bot API ChatMember status of a user in this chat (members by default)."""
        if self.admins and user_id == self.admins[0]:
            return "creator"
        return "administrator" if user_id in self.admins else "member"

    def to_dict(self) -> dict[str, Any]:
        """Return the Bot API Chat object."""
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.user is not None:
            out["first_name"] = self.user.first_name
            if self.user.username:
                out["username"] = self.user.username
        else:
            out["title"] = self.title or ""
            if self.username:
                out["username"] = self.username
        return out


@dataclass(frozen=True)
class SentFile:
    """A file the bot uploaded (sendDocument/sendPhoto)."""

    filename: str
    data: bytes
    mime_type: str | None = None


@dataclass(slots=True)
class SentMessage:
    """Something the bot sent; mutable because edits and deletion update it in place."""

    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    reply_to_message_id: int | None
    link_preview_options: dict[str, Any] | None
    date: datetime
    method: str = "sendMessage"
    allow_paid_broadcast: bool = False
    entities: list[dict[str, Any]] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    edit_date: datetime | None = None
    deleted: bool = False
    document: SentFile | None = None
    file_id: str | None = None
    raw_text: str = ""  # the text exactly as the bot sent it, before HTML parsing
    fault: str | None = None  # "timeout"/"drop": delivered, but the bot never got the answer
    # When the fake stored it (time.monotonic()): latency and kill-window measurements.
    mono: float = field(default_factory=time.monotonic)

    @property
    def caption(self) -> str:
        """Media messages keep their caption in ``text``; this alias reads better in tests."""
        return self.text

    def button_data(self) -> list[str]:
        """All callback_data values of the inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


class Rejection(NamedTuple):
    """A call the fake answered with an error."""

    method: str
    error_code: int
    description: str
    params: Params
    injected: bool = False


class RequestRecord(NamedTuple):
    """One handled API call (kept only while ``record_requests`` is on)."""

    method: str
    params: Params
    status: int
    mono: float = 0.0  # time.monotonic() when answered (tells a restarted bot's calls apart)


@dataclass(frozen=True)
class FaultRecord:
    """An injected failure and whether the call had taken effect before it."""

    method: str
    kind: str  # "error", "timeout" or "drop"
    status: int | None
    delivered: bool
    chat_id: int | None
    message_id: int | None


@dataclass
class Stats:
    """Counters that survive ``record_requests=False``."""

    ok: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    too_many_requests: int = 0  # every 429, injected or from the rate limiter
    rate_limited: int = 0  # 429s produced by the rate limiter only
    injected: int = 0
    messages_per_chat: Counter[int] = field(default_factory=Counter)
    in_flight: int = 0  # Bot API calls being answered right now
    in_flight_peak: int = 0

    def call_started(self) -> None:
        """A call arrived (counts the calls in flight at once)."""
        self.in_flight += 1
        self.in_flight_peak = max(self.in_flight_peak, self.in_flight)

    def call_ended(self) -> None:
        """A call was answered."""
        self.in_flight -= 1

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly snapshot (for the control endpoint)."""
        return {
            "ok": dict(self.ok),
            "errors": dict(self.errors),
            "too_many_requests": self.too_many_requests,
            "rate_limited": self.rate_limited,
            "injected": self.injected,
            "messages": sum(self.messages_per_chat.values()),
            "chats": len(self.messages_per_chat),
            "in_flight_peak": self.in_flight_peak,
        }


class HoldHandle:
    """Returned by ``hold_next``: the call takes effect, then waits for ``release()``."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.delivered = asyncio.Event()
        self._released = asyncio.Event()
        self.message: SentMessage | None = None

    def release(self) -> None:
        """Let the held call answer the client."""
        self._released.set()

    set = release  # Event-like spelling

    def is_set(self) -> bool:
        """Whether the call was released."""
        return self._released.is_set()

    async def wait_released(self) -> None:
        """Block until released (used by the server)."""
        await self._released.wait()

    async def wait_delivered(self, timeout: float = 5.0) -> SentMessage | None:
        """Wait until the held call has recorded its effect; return the message if any."""
        await asyncio.wait_for(self.delivered.wait(), timeout)
        return self.message


def param_int(params: Params, name: str, *, required: bool = True) -> int | None:
    """Read an integer parameter the way Telegram does (strings of digits are fine)."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"{name} is empty")
        return None
    if isinstance(value, bool):
        raise bad_request(f"wrong parameter {name}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def param_json(params: Params, name: str) -> Any:
    """Read a JSON-serialised parameter (form posts) or a native one (JSON bodies)."""
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value


def param_bool(params: Params, name: str) -> bool:
    """Read a boolean parameter ("true"/"1" in forms, true in JSON)."""
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in {"true", "1"}
    return bool(value)


def param_str(params: Params, name: str) -> str | None:
    """Read an optional string parameter."""
    value = params.get(name)
    return None if value is None else str(value)
