"""The layering the architecture relies on, checked on the source: handlers and jobs reach the
data through services (never a repository or the database), and Services holds services only.

ruff's TID251 keeps `telegram` out of the services; this keeps storage out of the handlers."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import typing
from pathlib import Path

import pytest

from bot.container import Services

ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_SIDE = sorted(
    [
        *(ROOT / "bot" / "handlers").glob("*.py"),
        *(ROOT / "bot" / "telegram_adapter").glob("*.py"),
        ROOT / "bot" / "jobs.py",
    ]
)
# Only BotData itself (bot/telegram_adapter/context.py) may hand out the storage.
STORAGE_HOLDER = ROOT / "bot" / "telegram_adapter" / "context.py"


def storage_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every name a module imports from the storage package."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "storage":
            found.extend((node.module or "", alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(
                (alias.name, "*") for alias in node.names if alias.name.split(".")[0] == "storage"
            )
    return found


def is_frozen_model(module: str, name: str) -> bool:
    """Whether storage's `name` is a frozen dataclass (or a constant), not a repository."""
    if name == "*":
        return False
    value = getattr(importlib.import_module(module), name)
    if isinstance(value, type):
        params = getattr(value, "__dataclass_params__", None)
        return params is not None and params.frozen
    return isinstance(value, str | int | float | tuple | frozenset)


@pytest.mark.parametrize("path", TELEGRAM_SIDE, ids=lambda p: str(p.relative_to(ROOT)))
def test_telegram_side_imports_only_frozen_models_from_storage(path: Path) -> None:
    wrong = [
        f"{module}.{name}"
        for module, name in storage_imports(path)
        if not is_frozen_model(module, name)
    ]
    assert wrong == [], f"{path.name} reaches storage around the services: {wrong}"


@pytest.mark.parametrize("path", TELEGRAM_SIDE, ids=lambda p: str(p.relative_to(ROOT)))
def test_telegram_side_does_not_read_untyped_bot_data_or_the_storage(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    subscripts = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and "bot_data" in ast.unparse(node.value)
    ]
    assert subscripts == [], "use the typed context (context.services), not bot_data[...]"
    if path != STORAGE_HOLDER:
        storage = [
            ast.unparse(node)
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "storage"
        ]
        assert storage == [], f"{path.name} reads the storage: {storage}"
    casts = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("cast", "typing.cast")
    ]
    assert casts == [], f"{path.name} casts: {casts}"


def test_services_hold_services_only() -> None:
    hints = typing.get_type_hints(Services)
    leaking = [
        f"{f.name}: {hints[f.name]}"
        for f in dataclasses.fields(Services)
        if any(
            getattr(part, "__module__", "").split(".")[0] == "storage"
            for part in (hints[f.name], *typing.get_args(hints[f.name]))
        )
    ]
    assert leaking == []


def test_the_check_would_catch_a_repository() -> None:
    """The checks above can fail: a repository and the database are not frozen models."""
    assert not is_frozen_model("storage.articles", "ArticleRepository")
    assert not is_frozen_model("storage.db", "Database")
    assert is_frozen_model("storage.models", "Article")
    assert is_frozen_model("storage.related", "RelatedArticle")
