"""A strict parser for Telegram's ``parse_mode=HTML`` (Bot API, "HTML style" section).

Written by hand instead of on top of ``html.parser`` because that parser silently accepts
everything Telegram rejects (unknown tags, bare ``&``/``<``, unclosed tags).

Deliberate strictness beyond the real server, so formatting bugs surface in tests:
unknown attributes, a bare ``&`` that does not start an entity, a bare ``>`` and entity
nesting that the docs forbid (Telegram itself would silently drop such entities) all raise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Entity", "HtmlParseError", "parse_telegram_html", "telegram_len"]


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``reason`` mimics Telegram's wording."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Entity:
    """A MessageEntity; offset and length are in UTF-16 code units like Telegram's."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the Bot API JSON form."""
        out: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def telegram_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_ALL_TAGS = {*_SIMPLE_TAGS, "span", "a", "tg-emoji", "code", "pre", "blockquote"}
# Style entities may nest anywhere except inside code/pre; everything else is exclusive.
_STYLE_TYPES = {"bold", "italic", "underline", "strikethrough", "spoiler"}
_QUOTE_TYPES = {"blockquote", "expandable_blockquote"}
_URL_SCHEMES = ("http://", "https://", "tg://", "mailto:")

_PLAIN_RE = re.compile(r"[^<>&]+")
_NAME = r"[A-Za-z][A-Za-z0-9-]*"
_START_RE = re.compile(rf"<({_NAME})")
_ATTR_RE = re.compile(
    rf"\s+({_NAME})(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?",
)
_START_END_RE = re.compile(r"\s*(/?)>")
_END_RE = re.compile(rf"</({_NAME})\s*>")
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,8})|([A-Za-z][A-Za-z0-9]*));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _Open:
    tag: str
    type: str
    offset: int
    byte_offset: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None
    child_language: list[str] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # UTF-16 units emitted so far
        self.stack: list[_Open] = []
        self.entities: list[Entity] = []

    def byte_offset(self, pos: int | None = None) -> int:
        return len(self.text[: self.pos if pos is None else pos].encode("utf-8"))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.out_len += telegram_len(chunk)

    def run(self) -> tuple[str, list[Entity]]:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "<":
                if text.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            elif ch == "&":
                self.emit(self.entity())
            elif ch == ">":
                raise HtmlParseError(
                    f'Unescaped ">" at byte offset {self.byte_offset()}; use &gt;'
                )
            else:
                match = _PLAIN_RE.match(text, self.pos)
                assert match is not None  # the char is none of <>& so the run is non-empty
                self.emit(match.group())
                self.pos = match.end()
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda e: (e.offset, -e.length))
        return "".join(self.out), self.entities

    def entity(self) -> str:
        match = _ENTITY_RE.match(self.text, self.pos)
        if match is None:
            raise HtmlParseError(
                f"Can't find end of the entity starting at byte offset {self.byte_offset()}"
            )
        dec, hexa, name = match.groups()
        if name is not None:
            if name not in _NAMED:
                raise HtmlParseError(
                    f'Unsupported HTML entity "&{name};" at byte offset {self.byte_offset()}'
                )
            value = _NAMED[name]
        else:
            code = int(dec) if dec is not None else int(hexa, 16)
            if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise HtmlParseError(f"Invalid numeric entity at byte offset {self.byte_offset()}")
            value = chr(code)
        self.pos = match.end()
        return value

    def read_attrs(self) -> dict[str, str]:
        attrs: dict[str, str] = {}
        while True:
            match = _ATTR_RE.match(self.text, self.pos)
            if match is None:
                return attrs
            raw = match.group(2)
            if raw is None:
                value = ""
            elif raw[0] in "\"'":
                value = _decode_attr(raw[1:-1], self.byte_offset())
            else:
                value = _decode_attr(raw, self.byte_offset())
            attrs[match.group(1).lower()] = value
            self.pos = match.end()

    def start_tag(self) -> None:
        start = self.pos
        match = _START_RE.match(self.text, self.pos)
        if match is None:
            raise HtmlParseError(f'Unescaped "<" at byte offset {self.byte_offset()}; use &lt;')
        tag = match.group(1).lower()
        if tag not in _ALL_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset()}'
            )
        self.pos = match.end()
        attrs = self.read_attrs()
        close = _START_END_RE.match(self.text, self.pos)
        if close is None or close.group(1):
            raise HtmlParseError(
                f'Malformed start tag "{tag}" at byte offset {self.byte_offset(start)}'
            )
        self.pos = close.end()
        opened = _make_open(tag, attrs, self.out_len, self.byte_offset(start))
        self.check_nesting(opened)
        self.stack.append(opened)

    def check_nesting(self, new: _Open) -> None:
        where = f"at byte offset {new.byte_offset}"
        for outer in self.stack:
            if outer.type in {"code", "pre"} and not (outer.type == "pre" and new.tag == "code"):
                raise HtmlParseError(f'Tag "{new.tag}" can\'t be nested in "{outer.tag}" {where}')
            if new.type in _QUOTE_TYPES and outer.type in _QUOTE_TYPES:
                raise HtmlParseError(f"Blockquotes can't be nested {where}")
            exclusive = _STYLE_TYPES | _QUOTE_TYPES
            if new.type not in exclusive and outer.type not in exclusive:
                if outer.type == "pre" and new.tag == "code":
                    continue
                raise HtmlParseError(f'Tag "{new.tag}" can\'t be nested in "{outer.tag}" {where}')

    def end_tag(self) -> None:
        match = _END_RE.match(self.text, self.pos)
        if match is None:
            raise HtmlParseError(f"Malformed end tag at byte offset {self.byte_offset()}")
        tag = match.group(1).lower()
        if not self.stack:
            raise HtmlParseError(f'Unexpected end tag "{tag}" at byte offset {self.byte_offset()}')
        top = self.stack[-1]
        if tag != top.tag:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset()}, "
                f'expected "</{top.tag}>", found "</{tag}>"'
            )
        self.pos = match.end()
        self.stack.pop()
        if top.tag == "code" and self.stack and self.stack[-1].type == "pre":
            # <pre><code class="language-x"> yields one pre entity carrying the language.
            if top.language is not None:
                self.stack[-1].child_language.append(top.language)
            return
        # Only pre carries a language; a class on a lone <code> has no visible effect.
        language = top.child_language[0] if top.child_language else None
        length = self.out_len - top.offset
        if length > 0:
            self.entities.append(
                Entity(top.type, top.offset, length, top.url, language, top.custom_emoji_id)
            )


def _decode_attr(raw: str, byte_offset: int) -> str:
    parser = _Parser(raw)
    try:
        while parser.pos < len(raw):
            if raw[parser.pos] == "&":
                parser.out.append(parser.entity())
            else:
                parser.out.append(raw[parser.pos])
                parser.pos += 1
    except HtmlParseError as exc:
        raise HtmlParseError(
            f"Bad entity in attribute value near byte offset {byte_offset}"
        ) from exc
    return "".join(parser.out)


def _open_span(op: _Open, attrs: dict[str, str], bad: str) -> None:
    if attrs.get("class") != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {bad}')
    op.type = "spoiler"


def _open_a(op: _Open, attrs: dict[str, str], bad: str) -> None:
    href = attrs.get("href", "")
    if not href.lower().startswith(_URL_SCHEMES) or len(href) <= len("tg://"):
        raise HtmlParseError(f'Unsupported URL "{href}" {bad}')
    op.type, op.url = "text_link", href


def _open_emoji(op: _Open, attrs: dict[str, str], bad: str) -> None:
    emoji_id = attrs.get("emoji-id", "")
    if not emoji_id.isdigit():
        raise HtmlParseError(f'Invalid custom emoji identifier "{emoji_id}" {bad}')
    op.type, op.custom_emoji_id = "custom_emoji", emoji_id


def _open_code(op: _Open, attrs: dict[str, str], bad: str) -> None:
    cls = attrs.get("class")
    if cls is not None and (not cls.startswith("language-") or cls == "language-"):
        raise HtmlParseError(f'Unsupported class "{cls}" {bad}')
    op.type, op.language = "code", cls.removeprefix("language-") if cls else None


def _open_quote(op: _Open, attrs: dict[str, str], bad: str) -> None:
    op.type = "expandable_blockquote" if "expandable" in attrs else "blockquote"


def _open_pre(op: _Open, attrs: dict[str, str], bad: str) -> None:
    op.type = "pre"


_OPENERS = {
    "span": (_open_span, {"class"}),
    "a": (_open_a, {"href"}),
    "tg-emoji": (_open_emoji, {"emoji-id"}),
    "code": (_open_code, {"class"}),
    "blockquote": (_open_quote, {"expandable"}),
    "pre": (_open_pre, set()),
}


def _make_open(tag: str, attrs: dict[str, str], offset: int, byte_offset: int) -> _Open:
    opener, allowed = _OPENERS.get(tag, (None, set()))
    unknown = set(attrs) - allowed
    if unknown:
        name = sorted(unknown)[0]
        raise HtmlParseError(f'Unsupported attribute "{name}" in tag "{tag}"')
    op = _Open(tag, _SIMPLE_TAGS.get(tag, ""), offset, byte_offset)
    if opener is not None:
        opener(op, attrs, f'in tag "{tag}" at byte offset {byte_offset}')
    return op


def parse_telegram_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into plain text and entities, raising HtmlParseError if invalid."""
    return _Parser(text).run()
