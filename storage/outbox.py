"""The sender's side of the outbox: claiming rows before each send, recording what was sent,
and the rows a crash left ambiguous.

A row is claimed (`sending_at` set) in the same statement that reads it, before it is sent;
its outcome clears the claim. So at any instant the claimed rows are exactly the messages
Telegram may have accepted without our knowing: after a crash they are what is ambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, in_chunks, marks
from storage.models import Delivery, to_ts

_CLAIM_INSTANT = (
    "UPDATE deliveries SET sending_at = ? WHERE id IN ("
    " SELECT id FROM deliveries WHERE status = 'pending' AND kind = 'instant'"
    " AND due_at <= ? AND sending_at IS NULL ORDER BY due_at, id LIMIT ?)"
    " RETURNING id, article_id, chat_id, kind, attempts, due_at"
)
# One statement for a whole group: an autocommit write, one trip to the database thread.
_SENT_FROM_VALUES = (
    "UPDATE deliveries SET status = 'sent', message_id = v.column2, sent_at = ?,"
    " attempts = attempts + 1, last_error = NULL, sending_at = NULL"
    " FROM (VALUES {values}) AS v WHERE deliveries.id = v.column1"
)
_SENT_ONE = (
    "UPDATE deliveries SET status = 'sent', message_id = ?, sent_at = ?,"
    " attempts = attempts + 1, last_error = NULL, sending_at = NULL WHERE id = ?"
)


@dataclass(frozen=True)
class AmbiguousRow:
    """A delivery that was in flight when the bot stopped: Telegram may have it or not."""

    id: int
    article_id: int
    chat_id: int
    claimed_at: int


class OutboxRepository:
    """Claims, sent records and crash recovery over the deliveries table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim_instant(self, now: datetime, limit: int) -> list[Delivery]:
        """Claim up to `limit` due per-article deliveries for sending, oldest first."""
        rows = await self.db.write_returning(_CLAIM_INSTANT, (to_ts(now), to_ts(now), limit))
        rows.sort(key=lambda r: (r["due_at"], r["id"]))
        return [
            Delivery(r["id"], r["article_id"], r["chat_id"], r["kind"], r["attempts"])
            for r in rows
        ]

    async def claim(self, delivery_ids: Sequence[int], now: datetime) -> None:
        """Claim rows read some other way (a chat's digest) before sending them."""
        for chunk in in_chunks(delivery_ids):
            await self.db.execute(
                f"UPDATE deliveries SET sending_at = ? WHERE id IN ({marks(chunk)})",
                (to_ts(now), *chunk),
            )

    async def mark_sent_many(
        self, sent: Sequence[tuple[int, int]], now: datetime, *, direct: bool = False
    ) -> None:
        """Record accepted deliveries, (delivery id, message id), in one commit (a trigger
        records each article message). `direct` writes on the caller's thread
        (`Database.write_hot`); otherwise one statement goes through the database thread."""
        ts = to_ts(now)
        if direct:
            await self.db.write_hot(_SENT_ONE, [(m, ts, d) for d, m in sent])
            return
        for start in range(0, len(sent), 400):  # 2 parameters a row, well under the limit
            group = sent[start : start + 400]
            values = ", ".join("(?, ?)" for _ in group)
            params: list[object] = [ts]
            for delivery_id, message_id in group:
                params += [delivery_id, message_id]
            await self.db.execute(_SENT_FROM_VALUES.format(values=values), params)

    async def recover_in_flight(self) -> list[AmbiguousRow]:
        """Release the claims a stopped process left behind, flagging those rows ambiguous;
        return them (they go out again: a duplicate beats a reader who never gets it)."""
        rows = await self.db.write_returning(
            "UPDATE deliveries SET ambiguous = 1, sending_at = NULL"
            " WHERE sending_at IS NOT NULL AND status = 'pending'"
            " RETURNING id, article_id, chat_id, sending_at",
            (),
        )
        # Claims on rows whose outcome was recorded are not ambiguous: just drop them.
        await self.db.execute(
            "UPDATE deliveries SET sending_at = NULL WHERE sending_at IS NOT NULL"
        )
        found = [
            AmbiguousRow(r["id"], r["article_id"], r["chat_id"], r["sending_at"]) for r in rows
        ]
        return sorted(found, key=lambda row: row.id)
