"""`newsbot export-comments [--article ID] [--format csv|jsonl]`: comments to stdout."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from pathlib import Path

from bot.cli.common import load_settings
from storage.comments import CommentRepository
from storage.db import Database, StorageError
from storage.models import Comment

FIELDS = (
    "id", "article_id", "chat_id", "message_id", "user_id", "user_name", "text", "status",
    "created_at", "source",
)  # fmt: skip


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `newsbot export-comments`."""
    parser.add_argument("--article", type=int, metavar="ID", help="only this article's comments")
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")


def _record(comment: Comment) -> dict[str, object]:
    return {
        "id": comment.id,
        "article_id": comment.article_id,
        "chat_id": comment.chat_id,
        "message_id": comment.message_id,
        "user_id": comment.user_id,
        "user_name": comment.user_name,
        "text": comment.text,
        "status": comment.status,
        "created_at": comment.created_at.isoformat(),
        "source": comment.source,
    }


async def _export(db_path: Path, article_id: int | None, fmt: str) -> int:
    db = await Database.open(db_path)
    count = 0
    try:
        writer = csv.DictWriter(sys.stdout, fieldnames=FIELDS) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        async for comment in CommentRepository(db).export(article_id):
            if writer is not None:
                writer.writerow(_record(comment))
            else:
                sys.stdout.write(json.dumps(_record(comment), ensure_ascii=False) + "\n")
            count += 1
    finally:
        await db.close()
    return count


def run(args: argparse.Namespace) -> int:
    """Write every comment (hidden and pending ones too, with their status) to stdout."""
    settings = load_settings(args)
    if not Path(settings.database_path).exists():
        raise StorageError(f"no database at {settings.database_path}")
    count = asyncio.run(_export(settings.database_path, args.article, args.format))
    print(f"{count} comments exported", file=sys.stderr)
    return 0
