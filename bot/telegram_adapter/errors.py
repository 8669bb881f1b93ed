"""Telegram's errors as the services' SendError kinds."""

from __future__ import annotations

import os
import warnings
from datetime import timedelta

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.services.messaging import notifier as n

# Opt in to PTB 22's timedelta durations (RetryAfter.retry_after); without it PTB warns on
# every 429 it parses. Set before any request is made; an explicit setting wins.
os.environ.setdefault("PTB_TIMEDELTA", "true")

UNREACHABLE = (
    "chat not found",
    "user is deactivated",
    "bot was kicked",
    "peer_id_invalid",
    "have no rights to send",
    "not enough rights",
    "group chat was deleted",
)
# How Telegram says it could not use a photo sent by URL.
PHOTO_REFUSED = (
    "wrong file identifier/http url",
    "failed to get http url content",
    "wrong type of the web page content",
    "image_process_failed",
    "photo_invalid",
    "photo_save_file_invalid",
    "wrong remote file identifier",
)
WRONG_KIND = ("there is no text in the message", "there is no caption in the message")


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after as seconds, whichever type PTB is configured to return."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _bad_request(text: str) -> n.PermanentError:
    """A 400 as PermanentError, or the subclass that tells the services what to do."""
    lowered = text.lower()
    if any(marker in lowered for marker in PHOTO_REFUSED):
        return n.PhotoRefused(text)
    if any(marker in lowered for marker in WRONG_KIND):
        return n.WrongMessageKind(text)
    return n.PermanentError(text)


def translate(exc: Exception) -> n.SendError:
    """Telegram's errors as the services' SendError kinds."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, RetryAfter):
        return n.RetryLater(retry_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return n.ChatMigrated(int(exc.new_chat_id))
    unreachable = any(marker in text.lower() for marker in UNREACHABLE)
    if isinstance(exc, Forbidden) or (isinstance(exc, BadRequest) and unreachable):
        return n.ChatUnavailable(text)
    if isinstance(exc, BadRequest):  # before NetworkError: BadRequest is a subclass of it
        return _bad_request(text)
    # Timeouts, dropped connections, 5xx and anything unexpected: worth another try.
    return n.TransientError(
        text if isinstance(exc, NetworkError) else f"{type(exc).__name__}: {text}"
    )
