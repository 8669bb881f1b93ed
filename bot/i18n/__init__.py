"""Readers' own language: the bot's texts in English, Russian and Uzbek (Latin script).

Texts are English msgids in the code, marked with `_()` where they are shown (or `N_()` where
a constant is defined and `_()` applied later), with `{name}` placeholders filled in by
`str.format` after translation. The catalogs are the committed `locales/<lang>.po` files,
compiled in memory when first used (Babel's reader and writer, then the standard library's
`gettext`), so an install needs no build step. The language of the text being made is a
context variable: set per update from the reader's stored choice or Telegram's
`language_code`, and per recipient where the bot writes on its own (broadcasts, admins).
Articles themselves are never translated.

`python -m bot.i18n.extract` refreshes the catalogs from the code; tests/test_i18n.py fails
for any text without a translation, or one that breaks the HTML or the placeholders.
"""

from bot.i18n.core import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    _,
    current_language,
    gettext_in,
    ngettext,
    normalize,
    set_language,
    using,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "_",
    "current_language",
    "gettext_in",
    "ngettext",
    "normalize",
    "set_language",
    "using",
]
