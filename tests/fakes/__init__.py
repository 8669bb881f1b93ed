"""Fakes for tests: a strict Telegram Bot API server and Telegram's HTML parser.

Re-exports are lazy so that ``python -m tests.fakes.botapi`` does not import the module
twice (runpy warns when a package has already imported the module it is about to run).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.botapi import DEFAULT_TOKEN, FakeBotAPI
    from tests.fakes.botapi_models import (
        FakeChat,
        FakeUser,
        FaultRecord,
        HoldHandle,
        Rejection,
        RequestRecord,
        SentFile,
        SentMessage,
        Stats,
    )
    from tests.fakes.telegram_html import (
        Entity,
        HtmlParseError,
        parse_telegram_html,
        telegram_len,
    )

_EXPORTS = {
    "DEFAULT_TOKEN": "tests.fakes.botapi",
    "FakeBotAPI": "tests.fakes.botapi",
    "FakeChat": "tests.fakes.botapi_models",
    "FakeUser": "tests.fakes.botapi_models",
    "FaultRecord": "tests.fakes.botapi_models",
    "HoldHandle": "tests.fakes.botapi_models",
    "Rejection": "tests.fakes.botapi_models",
    "RequestRecord": "tests.fakes.botapi_models",
    "SentFile": "tests.fakes.botapi_models",
    "SentMessage": "tests.fakes.botapi_models",
    "Stats": "tests.fakes.botapi_models",
    "Entity": "tests.fakes.telegram_html",
    "HtmlParseError": "tests.fakes.telegram_html",
    "parse_telegram_html": "tests.fakes.telegram_html",
    "telegram_len": "tests.fakes.telegram_html",
}
__all__ = [
    "DEFAULT_TOKEN",
    "Entity",
    "FakeBotAPI",
    "FakeChat",
    "FakeUser",
    "FaultRecord",
    "HoldHandle",
    "HtmlParseError",
    "Rejection",
    "RequestRecord",
    "SentFile",
    "SentMessage",
    "Stats",
    "parse_telegram_html",
    "telegram_len",
]


def __getattr__(name: str) -> Any:
    """Import re-exported names on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
