"""Comment repository: readers' comments, bans and "write a comment" prompts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database
from storage.models import Comment, from_ts, to_ts

_COLUMNS = (
    "id, article_id, chat_id, message_id, user_id, user_name, text, status, created_at, source"
)


@dataclass(frozen=True)
class NewComment:
    """A comment before it is stored."""

    article_id: int
    chat_id: int
    message_id: int
    user_id: int
    user_name: str
    text: str
    status: str  # visible | pending
    source: str = "bot"  # bot | discussion (the channel's discussion group)


def _row(row: aiosqlite.Row) -> Comment:
    created = from_ts(row["created_at"])
    assert created is not None  # noqa: S101 - NOT NULL column
    return Comment(
        id=row["id"],
        article_id=row["article_id"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        user_id=row["user_id"],
        user_name=row["user_name"],
        text=row["text"],
        status=row["status"],
        created_at=created,
        source=row["source"],
    )


class CommentRepository:
    """Plain SQL over comments, banned_users and comment_prompts."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, comment: NewComment, now: datetime) -> Comment | None:
        """Store a comment; None if this message was already stored (a repeated update)."""
        count, rowid = await self.db.execute(
            "INSERT OR IGNORE INTO comments (article_id, chat_id, message_id, user_id,"
            " user_name, text, status, created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                comment.article_id,
                comment.chat_id,
                comment.message_id,
                comment.user_id,
                comment.user_name,
                comment.text,
                comment.status,
                to_ts(now),
                comment.source,
            ),
        )
        return await self.get(int(rowid)) if count > 0 and rowid else None

    async def get(self, comment_id: int) -> Comment | None:
        """One comment, or None."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM comments WHERE id = ?", (comment_id,)
        )
        return _row(row) if row else None

    async def set_status(self, comment_id: int, status: str, expected: Sequence[str]) -> bool:
        """Move a comment to a status if it is currently in one of `expected`."""
        marks = ",".join("?" * len(expected))
        count, _ = await self.db.execute(
            f"UPDATE comments SET status = ? WHERE id = ? AND status IN ({marks})",
            (status, comment_id, *expected),
        )
        return count > 0

    async def count_visible(self, article_id: int) -> int:
        """How many comments readers can see on an article."""
        row = await self.db.fetchone(
            "SELECT count(*) AS n FROM comments WHERE article_id = ? AND status = 'visible'",
            (article_id,),
        )
        return int(row["n"]) if row else 0

    async def visible_page(self, article_id: int, offset: int, limit: int) -> list[Comment]:
        """Visible comments on an article, newest first."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM comments WHERE article_id = ? AND status = 'visible'"
            " ORDER BY id DESC LIMIT ? OFFSET ?",
            (article_id, limit, offset),
        )
        return [_row(r) for r in rows]

    async def times_since(self, user_id: int, since: datetime) -> list[datetime]:
        """When a user's comments since a moment were stored, oldest first."""
        rows = await self.db.fetchall(
            "SELECT created_at FROM comments WHERE user_id = ? AND created_at > ?"
            " ORDER BY created_at",
            (user_id, to_ts(since)),
        )
        return [t for r in rows if (t := from_ts(r["created_at"])) is not None]

    async def ban(self, user_id: int, banned_by: int | None, now: datetime) -> bool:
        """Ban a user from commenting; False if already banned."""
        count, _ = await self.db.execute(
            "INSERT OR IGNORE INTO banned_users (user_id, banned_by, created_at) VALUES (?, ?, ?)",
            (user_id, banned_by, to_ts(now)),
        )
        return count > 0

    async def unban(self, user_id: int) -> bool:
        """Lift a ban; False if the user was not banned."""
        count, _ = await self.db.execute("DELETE FROM banned_users WHERE user_id = ?", (user_id,))
        return count > 0

    async def is_banned(self, user_id: int) -> bool:
        """Whether a user may not comment."""
        row = await self.db.fetchone("SELECT 1 FROM banned_users WHERE user_id = ?", (user_id,))
        return row is not None

    async def add_prompt(
        self, chat_id: int, message_id: int, article_id: int, user_id: int, now: datetime
    ) -> None:
        """Remember a "write your comment" prompt, so a reply to it finds its article."""
        await self.db.execute(
            "INSERT OR REPLACE INTO comment_prompts (chat_id, message_id, article_id, user_id,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (chat_id, message_id, article_id, user_id, to_ts(now)),
        )

    async def prompt_article(self, chat_id: int, message_id: int) -> int | None:
        """The article a prompt message asks about, if it is one."""
        row = await self.db.fetchone(
            "SELECT article_id FROM comment_prompts WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return int(row["article_id"]) if row else None

    async def export(self, article_id: int | None, batch: int = 1000) -> AsyncIterator[Comment]:
        """Every comment (or one article's), oldest first, read in batches."""
        after = 0
        while True:
            rows = await self.db.fetchall(
                f"SELECT {_COLUMNS} FROM comments WHERE id > ?"
                " AND (? IS NULL OR article_id = ?) ORDER BY id LIMIT ?",
                (after, article_id, article_id, batch),
            )
            for row in rows:
                yield _row(row)
            if len(rows) < batch:
                return
            after = rows[-1]["id"]
