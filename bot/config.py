"""Settings: a frozen dataclass built by a pure function from an environment mapping."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.services.messaging.callback_data import TopicToggle
from bot.services.text.tags import normalize_tag

DEFAULT_API_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_PAID_BROADCAST_RATE = 1000.0
MAX_FREE_BROADCAST_RATE = 30.0
MAX_SECTIONS = 24  # every section is a button on the preview and in the topic picker
MAX_SECTION_LENGTH = 32  # and its button data ("st:t:<section>") must fit in 64 bytes
MAX_BOT_NAME = 64
MAX_BACKUP_KEEP = 365
ARTICLE_STYLES = ("preview", "photo")
# A public channel's @username (5-32 letters, digits, underscores, starting with a letter) or a
# channel's numeric id, which Telegram always makes negative (-100...).
_CHANNEL_USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{4,31}")
_CHANNEL_NUMBER = re.compile(r"-\d{5,20}")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    token: str | None
    admin_ids: frozenset[int]
    database_path: Path
    api_url: str
    timezone: ZoneInfo
    log_level: str
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - a webhook server must accept outside traffic
    webhook_port: int = 8443
    broadcast_rate: float = 30.0
    paid_broadcast: bool = False
    allow_private_urls: bool = False
    comments_moderation: str = "post"
    feed_poll_minutes: int = 15
    bot_name: str | None = None
    sections: tuple[str, ...] = ()
    backup_dir: Path | None = None
    backup_keep: int = 7
    retention_days: int = 30
    article_style: str = "preview"  # preview | photo
    channel: str | None = None  # "@username" or a numeric id as text; None = no channel
    channel_language: str = "en"  # the bot's words around articles posted in the channel

    @property
    def file_url(self) -> str:
        """Base URL for file downloads, derived from the Bot API URL as Telegram lays it out."""
        base = self.api_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"

    def require_token(self) -> str:
        """Return the bot token or fail with a clear message."""
        if not self.token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get one from @BotFather")
        return self.token


def _parse_admin_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"ADMIN_IDS must be comma-separated Telegram user ids, got {part!r}"
            ) from None
    return frozenset(ids)


def _parse_zone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"TIMEZONE must be an IANA zone such as Europe/Berlin, got {raw!r}"
        ) from None


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _parse_number(name: str, raw: str, low: float, high: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value


def _parse_int(name: str, raw: str, low: int, high: int) -> int:
    text = raw.strip()
    if not text.lstrip("-").isdecimal():
        raise ConfigError(f"{name} must be a whole number, got {raw!r}")
    value = int(text)
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {raw!r}")
    return value


def _parse_sections(raw: str) -> tuple[str, ...]:
    """SECTIONS: the publisher's topics, as the tags articles carry and readers follow."""
    if not raw.strip():
        return ()
    sections: list[str] = []
    for part in raw.split(","):
        tag = normalize_tag(part)
        if not tag:
            raise ConfigError(
                f"SECTIONS must be comma-separated names such as 'politics, sport', "
                f"got an empty or symbol-only name in {raw!r}"
            )
        if len(tag) > MAX_SECTION_LENGTH or not TopicToggle(tag).fits():
            raise ConfigError(
                f"SECTIONS names must be at most {MAX_SECTION_LENGTH} characters (fewer in"
                f" non-Latin scripts), got {tag!r}"
            )
        if tag in sections:
            raise ConfigError(f"SECTIONS lists {tag!r} twice")
        sections.append(tag)
    if len(sections) > MAX_SECTIONS:
        raise ConfigError(f"SECTIONS may list at most {MAX_SECTIONS} names, got {len(sections)}")
    return tuple(sections)


def _parse_bot_name(raw: str) -> str | None:
    name = " ".join(raw.split())
    if len(name) > MAX_BOT_NAME:
        raise ConfigError(f"BOT_NAME must be at most {MAX_BOT_NAME} characters, got {len(name)}")
    return name or None


def _parse_rate(env: Mapping[str, str], paid: bool) -> float:
    cap = MAX_PAID_BROADCAST_RATE if paid else MAX_FREE_BROADCAST_RATE
    raw = env.get("BROADCAST_RATE", "").strip() or "30"
    rate = _parse_number("BROADCAST_RATE", raw, 0.1, MAX_PAID_BROADCAST_RATE)
    if rate > cap:
        raise ConfigError(
            f"BROADCAST_RATE above {cap:g} messages/s needs PAID_BROADCAST=true (got {raw})"
        )
    return rate


def _parse_channel(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if _CHANNEL_USERNAME.fullmatch(value) or _CHANNEL_NUMBER.fullmatch(value):
        return value
    raise ConfigError(
        f"CHANNEL_ID must be a channel's @username or its numeric id (-100...), got {value!r}"
    )


def _parse_language(raw: str) -> str:
    language = raw.strip().lower() or "en"
    if language not in ("en", "ru", "uz"):
        raise ConfigError(f"CHANNEL_LANGUAGE must be en, ru or uz, got {raw.strip()!r}")
    return language


def _parse_style(raw: str) -> str:
    style = raw.strip().lower() or "preview"
    if style not in ARTICLE_STYLES:
        raise ConfigError(f"ARTICLE_STYLE must be 'preview' or 'photo', got {raw.strip()!r}")
    return style


def from_env(env: Mapping[str, str]) -> Settings:
    """Build Settings from a mapping of environment variables; raise ConfigError on bad input."""
    level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    api_url = env.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"TELEGRAM_API_URL must be an http(s) URL, got {api_url!r}")
    webhook_url = env.get("WEBHOOK_URL", "").strip() or None
    if webhook_url and not webhook_url.startswith("https://"):
        raise ConfigError(f"WEBHOOK_URL must start with https://, got {webhook_url!r}")
    moderation = env.get("COMMENTS_MODERATION", "post").strip().lower() or "post"
    if moderation not in ("post", "pre"):
        raise ConfigError(f"COMMENTS_MODERATION must be 'post' or 'pre', got {moderation!r}")
    paid = _parse_bool("PAID_BROADCAST", env.get("PAID_BROADCAST", ""))
    return Settings(
        token=env.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
        admin_ids=_parse_admin_ids(env.get("ADMIN_IDS", "")),
        database_path=Path(env.get("DATABASE_PATH", "").strip() or "newsbot.db"),
        api_url=api_url,
        timezone=_parse_zone(env.get("TIMEZONE", "").strip() or "UTC"),
        log_level=level,
        webhook_url=webhook_url,
        webhook_secret=env.get("WEBHOOK_SECRET", "").strip() or None,
        webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0",  # noqa: S104
        webhook_port=int(_parse_number("WEBHOOK_PORT", env.get("WEBHOOK_PORT", "8443"), 1, 65535)),
        broadcast_rate=_parse_rate(env, paid),
        paid_broadcast=paid,
        allow_private_urls=_parse_bool("ALLOW_PRIVATE_URLS", env.get("ALLOW_PRIVATE_URLS", "")),
        comments_moderation=moderation,
        feed_poll_minutes=int(
            _parse_number("FEED_POLL_MINUTES", env.get("FEED_POLL_MINUTES", "15"), 1, 1440)
        ),
        bot_name=_parse_bot_name(env.get("BOT_NAME", "")),
        sections=_parse_sections(env.get("SECTIONS", "")),
        backup_dir=Path(env["BACKUP_DIR"].strip()) if env.get("BACKUP_DIR", "").strip() else None,
        backup_keep=_parse_int(
            "BACKUP_KEEP", env.get("BACKUP_KEEP", "").strip() or "7", 1, MAX_BACKUP_KEEP
        ),
        retention_days=_parse_int(
            "RETENTION_DAYS", env.get("RETENTION_DAYS", "").strip() or "30", 1, 3650
        ),
        article_style=_parse_style(env.get("ARTICLE_STYLE", "")),
        channel=_parse_channel(env.get("CHANNEL_ID", "")),
        channel_language=_parse_language(env.get("CHANNEL_LANGUAGE", "")),
    )


def load_environment(dotenv_path: Path | None = None) -> dict[str, str]:
    """Merge `.env` from the working directory under the real environment (which wins)."""
    from dotenv import dotenv_values  # noqa: PLC0415 - only the CLI reads .env files

    path = dotenv_path or Path.cwd() / ".env"
    merged: dict[str, str] = {}
    if path.is_file():
        merged.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    merged.update(os.environ)
    return merged
