"""Draft note repository: what an admin should know about a draft before publishing it (the
feed it came from, why it was held), kept as data so the preview words it in the admin's
language (migrations 0008 and 0013)."""

from __future__ import annotations

import aiosqlite

from storage.db import Database
from storage.models import DraftNote, FeedOrigin, PageProblem

_COLUMNS = "feed_id, feed_name, feed_url, feed_mode, reason, http_status, detail, origin, problem"


def _row_to_note(row: aiosqlite.Row) -> DraftNote:
    feed = None
    if row["feed_mode"] is not None:
        feed = FeedOrigin(row["feed_name"], row["feed_url"], row["feed_mode"], row["feed_id"])
    problem = None
    if row["reason"] is not None:
        problem = PageProblem(row["reason"], row["http_status"], row["detail"])
    return DraftNote(feed, problem, legacy_origin=row["origin"], legacy_problem=row["problem"])


class DraftNoteRepository:
    """Plain SQL over the draft_notes table (a note goes when its draft is deleted)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def set(self, article_id: int, note: DraftNote) -> None:
        """Remember where a draft came from and what went wrong, for its preview."""
        feed, problem = note.feed, note.problem
        await self.db.execute(
            f"INSERT OR REPLACE INTO draft_notes (article_id, {_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                feed.feed_id if feed else None,
                feed.name if feed else "",
                feed.url if feed else "",
                feed.mode if feed else None,
                problem.reason if problem else None,
                problem.status if problem else None,
                problem.detail if problem else "",
                note.legacy_origin,
                note.legacy_problem,
            ),
        )

    async def get(self, article_id: int) -> DraftNote:
        """A draft's note (empty when it has none)."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM draft_notes WHERE article_id = ?", (article_id,)
        )
        return _row_to_note(row) if row else DraftNote()
