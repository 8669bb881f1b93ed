"""Telegram's validation rules for text, captions, keyboards and commands."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.botapi_models import ApiError, Params, bad_request, param_json
from tests.fakes.telegram_html import HtmlParseError, parse_telegram_html, telegram_len

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "web_app",
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


def parse_text(
    params: Params, field: str = "text", *, caption: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode and Telegram's length limits; return (plain text, entity dicts)."""
    raw = params.get(field)
    raw = "" if raw is None else str(raw)
    mode = str(params.get("parse_mode") or "").lower()
    if mode == "html":
        try:
            plain, parsed = parse_telegram_html(raw)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc.reason}") from None
        entities = [e.to_dict() for e in parsed]
    elif mode in {"markdown", "markdownv2"}:
        raise bad_request(f"the fake Bot API only implements parse_mode HTML, not {mode}")
    elif mode:
        raise bad_request("unsupported parse_mode")
    else:
        plain = raw
        given = param_json(params, "caption_entities" if caption else "entities")
        entities = list(given) if isinstance(given, list) else []
    plain, entities = _strip(plain, entities)
    # Telegram measures text in UTF-16 code units, so an emoji like U+1F600 counts as 2.
    length = telegram_len(plain)
    if caption:
        if length > MAX_CAPTION:
            raise bad_request("message caption is too long")
    elif length == 0:
        raise bad_request("message text is empty")
    elif length > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, entities


def _strip(plain: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace like Telegram, shifting and clipping entities."""
    stripped = plain.strip()
    if stripped == plain:
        return plain, entities
    shift = telegram_len(plain[: len(plain) - len(plain.lstrip())])
    total = telegram_len(stripped)
    out = []
    for ent in entities:
        start = max(ent["offset"] - shift, 0)
        end = min(ent["offset"] + ent["length"] - shift, total)
        if end > start:
            out.append({**ent, "offset": start, "length": end - start})
    return stripped, out


def parse_reply_markup(params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Validate reply_markup as Telegram does; return it as a dict (or None if absent)."""
    if params.get("reply_markup") in (None, ""):
        return None
    try:
        markup = param_json(params, "reply_markup")
    except ApiError:
        raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
    elif markup.get("remove_keyboard") is not True and markup.get("force_reply") is not True:
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _rows(value: Any, what: str) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
        raise bad_request(f'field "{what}" must be an Array of Array')
    if sum(len(r) for r in value) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return value


def _check_inline_keyboard(value: Any) -> None:
    for row in _rows(value, "inline_keyboard"):
        for button in row:
            _check_inline_button(button)


def check_inline_markup(markup: Any) -> None:
    """An inline keyboard given as an object (inline query results carry one)."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    _check_inline_keyboard(markup["inline_keyboard"])


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: Object expected")
    if not isinstance(button.get("text"), str) or not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request("can't parse inline keyboard button: more than one action specified")
    if "callback_data" in button:
        data = button["callback_data"]
        # The limit is 64 BYTES of UTF-8, so 33 Cyrillic letters are already too long.
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    _check_switch_inline(button)
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"(?i)(https?|tg)://\S+$", url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _check_switch_inline(button: dict[str, Any]) -> None:
    for field in ("switch_inline_query", "switch_inline_query_current_chat"):
        if field in button and not isinstance(button[field], str):
            raise bad_request(f"can't parse inline keyboard button: {field} must be a String")


def _check_reply_keyboard(value: Any) -> None:
    for row in _rows(value, "keyboard"):
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text.strip():
                raise bad_request("BUTTON_TEXT_INVALID")


def parse_commands(params: Params) -> list[dict[str, str]]:
    """Validate setMyCommands' ``commands`` list."""
    commands = param_json(params, "commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    out = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND_RE.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        out.append({"command": command, "description": description})
    return out
