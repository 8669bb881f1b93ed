"""Every button's callback data, typed: one frozen dataclass per kind of button.

In the spirit of aiogram's `CallbackData`: a kind has a fixed `prefix` and typed fields;
`pack()` builds the string Telegram stores on the button (at most 64 bytes, checked here),
`parse()` turns a pressed string back into the kind or into None, and `pattern()` is what the
feature's handler registers with. Services build buttons with it (it is plain Python, no
Telegram types); handlers parse what was pressed. This module owns every prefix:

`st` settings, `pb` publishing, `uw` confirming /unpublish, `ra` open an article,
`sr` open a search result, `cm` comments, `md` moderation.

Parsing is strict: only the exact string `pack()` would make parses, so `parse(s).pack() == s`.
Ids are decimal digits without a sign or leading zeros, at most 2**63 - 1 (SQLite's and
Telegram's 64-bit ids); anything else, forged or from an older version, parses to None.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self, get_args, get_origin, get_type_hints

LIMIT = 64  # bytes: Telegram's limit for callback_data
SEPARATOR = ":"
MAX_ID = 2**63 - 1
_CANONICAL_INT = re.compile(r"0|[1-9][0-9]{0,18}")


class CallbackDataTooLong(ValueError):
    """The packed data would exceed Telegram's 64 bytes."""


@dataclass(frozen=True)
class CallbackData:
    """Base of every button kind: `prefix` names the kind, the dataclass fields follow it.

    Fields may be `int` (a non-negative id or index), `str` (non-empty; only the last field
    may contain the separator) or a `Literal` of strings (one of a fixed set of actions).
    """

    prefix: ClassVar[str]

    def pack(self) -> str:
        """The callback data string; raises CallbackDataTooLong past 64 bytes."""
        values = [str(getattr(self, f.name)) for f in dataclasses.fields(self)]
        data = SEPARATOR.join([self.prefix, *values])
        if len(data.encode()) > LIMIT:
            raise CallbackDataTooLong(f"{data[:20]}… is over {LIMIT} bytes")
        return data

    def fits(self) -> bool:
        """Whether this button's data packs within 64 bytes (a long tag may not)."""
        try:
            self.pack()
        except CallbackDataTooLong:
            return False
        return True

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """The button this data belongs to, or None if it is not exactly one of this kind."""
        if data is None or len(data.encode()) > LIMIT:
            return None
        head = cls.prefix + SEPARATOR
        if not data.startswith(head):
            return None
        names = _fields(cls)
        raw = data[len(head) :].split(SEPARATOR, len(names) - 1)
        if len(raw) != len(names):
            return None
        values: dict[str, Any] = {}
        for (name, kind), text in zip(names, raw, strict=True):
            value = _convert(kind, text)
            if value is None:
                return None
            values[name] = value
        return cls(**values)

    @classmethod
    def pattern(cls) -> str:
        """The regex a handler registers with: every button of this kind's feature.

        It matches on the feature's prefix only (`pb:`, `cm:` ...), so stale or forged data
        still reaches the feature, which checks permissions and answers; `parse` decides."""
        return "^" + re.escape(cls.prefix.split(SEPARATOR)[0] + SEPARATOR)


_FIELDS: dict[type[CallbackData], tuple[tuple[str, Any], ...]] = {}


def _fields(cls: type[CallbackData]) -> tuple[tuple[str, Any], ...]:
    """A kind's fields with their resolved types (annotations are strings here)."""
    if cls not in _FIELDS:
        hints = get_type_hints(cls)
        _FIELDS[cls] = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))
    return _FIELDS[cls]


def _convert(kind: Any, text: str) -> int | str | None:
    """One field's value from its text, or None when the text is not canonical."""
    if kind is int:
        if _CANONICAL_INT.fullmatch(text) is None or int(text) > MAX_ID:
            return None
        return int(text)
    if get_origin(kind) is Literal:
        return text if text in get_args(kind) else None
    return text or None


def parse_any(data: str | None, kinds: tuple[type[CallbackData], ...]) -> CallbackData | None:
    """The first of these kinds the data parses as, or None."""
    for kind in kinds:
        parsed = kind.parse(data)
        if parsed is not None:
            return parsed
    return None


# --- Reader buttons --------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenArticle(CallbackData):
    """`ra:<article id>`: send this article (related and digest buttons)."""

    prefix: ClassVar[str] = "ra"
    article_id: int


@dataclass(frozen=True)
class OpenSearchResult(CallbackData):
    """`sr:<article id>`: send this article (the buttons of a /search answer)."""

    prefix: ClassVar[str] = "sr"
    article_id: int


@dataclass(frozen=True)
class WriteComment(CallbackData):
    """`cm:w:<article id>`: the Comment button under an article."""

    prefix: ClassVar[str] = "cm:w"
    article_id: int


@dataclass(frozen=True)
class ListComments(CallbackData):
    """`cm:l:<article id>`: the Comments button under an article (no count: it would go stale)."""

    prefix: ClassVar[str] = "cm:l"
    article_id: int


@dataclass(frozen=True)
class CommentPage(CallbackData):
    """`cm:p:<article id>:<page>`: ◀ ▶ under a list of comments."""

    prefix: ClassVar[str] = "cm:p"
    article_id: int
    page: int


COMMENT_BUTTONS: tuple[type[CallbackData], ...] = (WriteComment, ListComments, CommentPage)

SettingsAction = Literal["inst", "hours", "zones", "topics", "tall", "back", "langs"]


@dataclass(frozen=True)
class SettingsMenu(CallbackData):
    """`st:<action>`: the settings panel's menus (as published, hours, zones, topics, all
    topics, back)."""

    prefix: ClassVar[str] = "st"
    action: SettingsAction


@dataclass(frozen=True)
class DigestHour(CallbackData):
    """`st:h:<hour>`: a daily digest at this hour."""

    prefix: ClassVar[str] = "st:h"
    hour: int


@dataclass(frozen=True)
class ZoneChoice(CallbackData):
    """`st:z:<index>`: one of the common time zones, by its index in COMMON_ZONES."""

    prefix: ClassVar[str] = "st:z"
    index: int


@dataclass(frozen=True)
class TopicToggle(CallbackData):
    """`st:t:<tag>`: follow or stop following a topic (long tags may not fit: `fits()`)."""

    prefix: ClassVar[str] = "st:t"
    tag: str


@dataclass(frozen=True)
class LanguageChoice(CallbackData):
    """`st:l:<language>`: the bot's texts in this language (en, ru or uz)."""

    prefix: ClassVar[str] = "st:l"
    language: Literal["en", "ru", "uz"]


SETTINGS_BUTTONS: tuple[type[CallbackData], ...] = (
    SettingsMenu,
    DigestHour,
    ZoneChoice,
    TopicToggle,
    LanguageChoice,
)

# --- Admin buttons ---------------------------------------------------------------------------

PublishChoice = Literal["now", "h1", "tm", "at", "x"]


@dataclass(frozen=True)
class PublishAction(CallbackData):
    """`pb:<action>:<article id>` under a draft preview: publish now, in an hour, tomorrow,
    at the time the admin gave, or cancel."""

    prefix: ClassVar[str] = "pb"
    action: PublishChoice
    article_id: int


@dataclass(frozen=True)
class ToggleSection(CallbackData):
    """`pb:s:<article id>:<index>` under a draft preview: put the draft in the section with
    this index of SECTIONS, or take it out."""

    prefix: ClassVar[str] = "pb:s"
    article_id: int
    index: int


WithdrawalChoice = Literal["y", "n"]


@dataclass(frozen=True)
class ConfirmWithdrawal(CallbackData):
    """`uw:<y|n>:<article id>` under /unpublish's question: withdraw it, or keep it."""

    prefix: ClassVar[str] = "uw"
    action: WithdrawalChoice
    article_id: int


ModerationChoice = Literal["a", "r", "h", "b"]


@dataclass(frozen=True)
class ModerateComment(CallbackData):
    """`md:<action>:<comment id>` under a new-comment notice: approve, reject, hide, ban."""

    prefix: ClassVar[str] = "md"
    action: ModerationChoice
    comment_id: int


ALL_KINDS: tuple[type[CallbackData], ...] = (
    OpenArticle,
    OpenSearchResult,
    *COMMENT_BUTTONS,
    *SETTINGS_BUTTONS,
    PublishAction,
    ToggleSection,
    ConfirmWithdrawal,
    ModerateComment,
)
