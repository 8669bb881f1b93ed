"""Catalogs, the current language and the translation functions."""

from __future__ import annotations

import contextlib
import functools
import gettext
import io
from collections.abc import Iterator
from contextvars import ContextVar, Token
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("en", "ru", "uz")
DEFAULT_LANGUAGE = "en"
# Each language in its own words, for the language buttons in /settings. Uzbek writes its
# "o with a turned comma" with U+02BB, which ruff takes for a look-alike of a backtick.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "uz": "Oʻzbekcha"}  # noqa: RUF001
# Babel's locale for each catalog: Uzbek in Latin script.
BABEL_LOCALES = {"en": "en", "ru": "ru", "uz": "uz_Latn"}

_current: ContextVar[str] = ContextVar("newsbot_language", default=DEFAULT_LANGUAGE)


def normalize(code: str | None) -> str:
    """One of LANGUAGES for Telegram's `language_code` ("ru", "uz-Latn", "en-GB"...);
    anything the bot does not know falls back to English."""
    base = (code or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def po_text(language: str) -> str:
    """The committed catalog of a language, as text."""
    return resources.files("bot.i18n").joinpath("locales", f"{language}.po").read_text("utf-8")


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of a language (English: the msgids themselves)."""
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return gettext.NullTranslations()
    catalog = read_po(io.StringIO(po_text(language)), locale=BABEL_LOCALES[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def current_language() -> str:
    """The language of the texts being made now."""
    return _current.get()


def set_language(language: str) -> Token[str]:
    """Make texts in this language from now on, in this task (an update's handling)."""
    return _current.set(normalize(language))


@contextlib.contextmanager
def using(language: str) -> Iterator[None]:
    """Make texts in this language inside the block (a message to one recipient)."""
    token = _current.set(normalize(language))
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """The message in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural message in the current language, as the count requires."""
    return translations(_current.get()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet (module constants)."""
    return message


def gettext_in(language: str, message: str) -> str:
    """The message in the given language (command menus, set for every language at once)."""
    return translations(normalize(language)).gettext(message)
