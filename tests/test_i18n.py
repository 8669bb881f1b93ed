"""The catalogs: every text the bot sends exists in Russian and Uzbek, keeps its placeholders
and HTML, and nothing user-facing escapes translation (an English sentence outside `_()`)."""

from __future__ import annotations

import ast
import io
import re
import string
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, _, gettext_in, ngettext, normalize, using
from bot.i18n.core import BABEL_LOCALES, po_text
from bot.i18n.extract import PACKAGE, extract, unmarked_calls
from tests.fakes.telegram_html import HtmlParseError, parse_telegram_html

TRANSLATED = [language for language in LANGUAGES if language != "en"]
SAMPLE = {"url": "https://news.example/a?b=1&amp;c=2", "who": ""}
_TAG = re.compile(r"</?([a-z]+)[^>]*>")
# Where the bot's texts live (the command line and the Telegram adapter speak to operators
# and to Telegram, in English).
SCANNED = ("handlers", "services")
# English-looking literals that are not texts for people: log-only reasons stored with a
# delivery, Telegram's own error phrases, sentence-splitter and stop-word data.
NOT_TEXTS = frozenset(
    {
        "bot/services/text/sentences.py",
        "bot/services/text/summarize.py",
        "bot/services/readers/related.py",
        "bot/services/publishing/archive.py",  # `newsbot import` (command line, English)
    }
)


def catalog(language: str) -> Catalog:
    return read_po(io.StringIO(po_text(language)), locale=BABEL_LOCALES[language])


def msgids() -> set[str | tuple[str, str]]:
    return {found.msgid for found in extract()}


def _forms(message: Message) -> list[tuple[str, str]]:
    """(English, translation) pairs of a message, one per plural form."""
    if isinstance(message.id, str):
        return [(message.id, str(message.string))]
    singular, plural = message.id
    strings = list(message.string)
    return [(singular, strings[0])] + [(plural, s) for s in strings[1:]]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def tags(text: str) -> list[str]:
    return sorted(
        m.group(0) if m.group(1) == "a" else m.group(1) + m.group(0)[:2]
        for m in _TAG.finditer(text)
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_in_the_code_is_translated(language: str) -> None:
    found = catalog(language)
    wanted = msgids()
    stored = {m.id if isinstance(m.id, str) else tuple(m.id) for m in found if m.id}
    assert wanted - stored == set(), "run `python -m bot.i18n.extract`, then translate"
    assert stored - wanted == set(), "texts no longer in the code: run the extractor"
    for message in found:
        if not message.id:
            continue
        assert not message.fuzzy, f"{language}: fuzzy translation of {message.id!r}"
        for english, translated in _forms(message):
            assert translated.strip(), f"{language}: no translation of {english!r}"
        if not isinstance(message.id, str):
            assert len(message.string) == found.num_plurals, message.id


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_html(language: str) -> None:
    for message in catalog(language):
        if not message.id:
            continue
        for english, translated in _forms(message):
            assert placeholders(translated) == placeholders(english), (language, english)
            assert tags(translated) == tags(english), (language, english, translated)
            values = {name: SAMPLE.get(name, "X") for name in placeholders(english)}
            filled = translated.format(**values)
            try:
                parse_telegram_html(filled)
            except HtmlParseError as exc:
                pytest.fail(f"{language}: {translated!r} is not valid Telegram HTML: {exc}")


def test_marked_texts_are_plain_literals() -> None:
    """`_()` of a variable cannot be extracted: constants use N_() where they are defined."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for call in unmarked_calls(ast.parse(path.read_text("utf-8"))):
            argument = call.args[0] if call.args else None
            # _(CONSTANT) translates a text marked with N_ where CONSTANT is defined.
            # _(TABLE[key]) translates one of a table of N_-marked texts.
            named = (ast.Name, ast.Attribute, ast.Subscript)
            if not (len(call.args) == 1 and isinstance(argument, named)):
                offenders.append(f"{path}:{call.lineno}")
    assert offenders == []


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _exempt(tree: ast.AST) -> set[int]:
    """Nodes inside translation markers and log calls."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
        # Configuration errors go to the operator's console, in English, like the log.
        exempt = {"_", "N_", "ngettext", "gettext_in", "ConfigError"}
        if name in exempt or owner in {"log", "logging"}:
            skipped |= {id(sub) for sub in ast.walk(node)}
    return skipped


def looks_like_text(value: str) -> bool:
    """An English text for people: words in HTML markup, or two words or more separated by
    spaces that start with a capital (or an emoji) or end like a sentence."""
    if re.search(r"\(\?|\\[sdw]", value):  # a regular expression
        return False
    plain = re.sub(r"\{[^}]*\}", "", _TAG.sub("", value)).strip()
    words = re.findall(r"[A-Za-z]{2,}", plain)
    if _TAG.search(value):
        return bool(words)
    if len(words) < 2 or " " not in plain:
        return False
    emoji = unicodedata.category(plain[0]) == "So"
    return plain[0].isupper() or emoji or plain.endswith((".", "?", "!"))


def untranslated(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    skipped = _docstrings(tree) | _exempt(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
            skipped |= {id(part) for part in node.values}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if looks_like_text(text):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {text[:60]!r}")
    return found


def test_no_text_for_people_escapes_translation() -> None:
    offenders = []
    for folder in SCANNED:
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            if str(path.relative_to(PACKAGE.parent)) not in NOT_TEXTS:
                offenders += untranslated(path)
    assert offenders == [], "wrap these in _() (or N_()) and translate them:\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ru", "ru"), ("ru-RU", "ru"), ("uz", "uz"), ("uz-Latn", "uz"), ("UZ_Cyrl", "uz"),
     ("en-GB", "en"), ("de", "en"), ("", "en"), (None, "en"), ("zz-top", "en")],
)  # fmt: skip
def test_language_codes_the_bot_does_not_know_fall_back_to_english(
    code: str | None, expected: str
) -> None:
    assert normalize(code) == expected


def test_translations_come_from_the_installed_catalogs() -> None:
    with using("ru"):
        assert _("This button has expired.") == "Эта кнопка устарела."
        assert ngettext("({n} in a row)", "({n} in a row)", 2).format(n=2) == "(2 раза подряд)"
        assert ngettext("({n} in a row)", "({n} in a row)", 5).format(n=5) == "(5 раз подряд)"
    with using("uz"):
        assert _("This button has expired.") == "Bu tugmaning muddati oʻtgan."  # noqa: RUF001
    assert _("This button has expired.") == "This button has expired."
    assert gettext_in("ru", "Unsubscribe") == "Отписаться"
