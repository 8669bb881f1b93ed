"""`python -m bot.i18n.extract`: collect the marked texts from the code and update the
catalogs (new texts are added untranslated, removed ones dropped, translations kept)."""

from __future__ import annotations

import ast
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.i18n.core import BABEL_LOCALES, LANGUAGES

PACKAGE = Path(__file__).resolve().parents[1]  # bot/
LOCALES = Path(__file__).resolve().parent / "locales"
MARKERS = frozenset({"_", "N_"})
PLURAL_MARKERS = frozenset({"ngettext"})


@dataclass(frozen=True)
class Found:
    """One marked text: its msgid (a (singular, plural) pair for plurals) and where it is."""

    msgid: str | tuple[str, str]
    where: str


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _from_call(call: ast.Call, where: str) -> Found | None:
    name = _name(call)
    if name in MARKERS and len(call.args) == 1:
        text = _literal(call.args[0])
        return Found(text, where) if text is not None else None
    if name in PLURAL_MARKERS and len(call.args) == 3:
        one, many = _literal(call.args[0]), _literal(call.args[1])
        return Found((one, many), where) if one is not None and many is not None else None
    if name == "gettext_in" and len(call.args) == 2:
        text = _literal(call.args[1])
        return Found(text, where) if text is not None else None
    return None


def unmarked_calls(tree: ast.AST) -> list[ast.Call]:
    """Marker calls whose argument is not a plain string literal (cannot be extracted)."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _name(node) in MARKERS
        and not (len(node.args) == 1 and _literal(node.args[0]) is not None)
    ]


def extract(root: Path = PACKAGE) -> list[Found]:
    """Every marked text under the package, in file and line order."""
    found: list[Found] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        where = str(path.relative_to(root.parent))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                item = _from_call(node, f"{where}:{node.lineno}")
                if item is not None:
                    found.append(item)
    return found


def template(found: list[Found]) -> Catalog:
    """The catalog template (.pot) of the found texts."""
    catalog = Catalog(project="newsbot", charset="utf-8")
    for item in found:
        path, line = item.where.rsplit(":", 1)
        flags = ("python-brace-format",) if "{" in str(item.msgid) else ()
        catalog.add(item.msgid, locations=[(path, int(line))], flags=flags)
    return catalog


def update(language: str, pot: Catalog) -> tuple[int, int]:
    """Merge the template into one language's catalog; return (texts, untranslated)."""
    path = LOCALES / f"{language}.po"
    if path.exists():
        catalog = read_po(io.StringIO(path.read_text("utf-8")), locale=BABEL_LOCALES[language])
    else:
        catalog = Catalog(locale=BABEL_LOCALES[language], project="newsbot", charset="utf-8")
    created = catalog.creation_date  # kept, so that a run that adds nothing changes nothing
    catalog.update(pot, no_fuzzy_matching=True)
    catalog.creation_date = created
    catalog.obsolete.clear()
    out = io.BytesIO()
    write_po(out, catalog, width=99, omit_header=False, sort_output=False, include_lineno=False)
    path.write_bytes(out.getvalue())
    missing = sum(1 for message in catalog if message.id and not _translated(message.string))
    return len([m for m in catalog if m.id]), missing


def _translated(value: object) -> bool:
    if isinstance(value, (tuple, list)):
        return all(value)
    return bool(value)


def main() -> int:
    """Refresh every catalog from the code and say what is left to translate."""
    pot = template(extract())
    for language in LANGUAGES:
        if language == "en":
            continue
        total, missing = update(language, pot)
        print(f"{language}: {total} texts, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
