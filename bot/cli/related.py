"""`newsbot related URL_OR_ID... [--limit N] [--json]`: the related articles of each article.

One line per article given, in order. An unknown article gets a line with an "error" field
and the command ends with status 1 after printing every other line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from bot.cli.common import CliError, load_settings
from bot.clock import SystemClock
from bot.services.readers.related import RelatedService
from storage.db import Database, StorageError
from storage.related import RelatedRepository

MAX_LIMIT = 50


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `newsbot related`."""
    parser.add_argument("articles", nargs="+", metavar="URL_OR_ID", help="article ids or URLs")
    parser.add_argument(
        "--limit", type=int, default=3, help=f"suggestions per article (1-{MAX_LIMIT}, default 3)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


async def _lines(db_path: Path, refs: list[str], limit: int) -> list[dict[str, object]]:
    db = await Database.open(db_path)
    try:
        repo = RelatedRepository(db)
        service = RelatedService(repo, SystemClock())
        out: list[dict[str, object]] = []
        for ref in refs:
            article_id = await repo.resolve(ref)
            if article_id is None:
                out.append({"article": ref, "error": "no such article (give an id or a URL)"})
                continue
            items = await service.related(article_id, limit)
            out.append(
                {
                    "article": ref,
                    "related": [
                        {"id": r.id, "url": r.url, "title": r.title, "score": r.score}
                        for r in items
                    ],
                }
            )
        return out
    finally:
        await db.close()


def _text(line: dict[str, object]) -> str:
    if "error" in line:
        return f"{line['article']}: error: {line['error']}"
    items = line["related"]
    assert isinstance(items, list)  # noqa: S101 - built above
    rows = [f"  {r['score']:.3f}  #{r['id']}  {r['title']}" for r in items]
    return "\n".join([f"{line['article']}:", *(rows or ["  (nothing related)"])])


def run(args: argparse.Namespace) -> int:
    """Print each article's related articles; status 1 if any article was unknown."""
    if not 1 <= args.limit <= MAX_LIMIT:
        raise CliError(f"--limit must be between 1 and {MAX_LIMIT}, not {args.limit}")
    settings = load_settings(args)
    if not Path(settings.database_path).exists():
        raise StorageError(f"no database at {settings.database_path}")
    lines = asyncio.run(_lines(settings.database_path, list(args.articles), args.limit))
    for line in lines:
        print(json.dumps(line, ensure_ascii=False) if args.json else _text(line), flush=True)
    return 1 if any("error" in line for line in lines) else 0
