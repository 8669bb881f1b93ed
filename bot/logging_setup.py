"""Logging: one line per event, and the bot token never printed."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class RedactTokens(logging.Filter):
    """Replaces anything shaped like a bot token (PTB's request URLs contain it)."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with tokens masked."""
        message = record.getMessage()
        clean = _TOKEN.sub("<token>", message)
        if self.token:
            clean = clean.replace(self.token, "<token>")
        if clean != message or record.exc_info:
            record.msg, record.args = clean, None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            if self.token:
                text = text.replace(self.token, "<token>")
            record.exc_text = _TOKEN.sub("<token>", text)
        return True


def setup_logging(level: str, token: str | None = None) -> None:
    """Configure the root logger once."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and those URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
