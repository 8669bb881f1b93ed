"""Delivery outbox repository: one row per (article, chat), and what became of each.

`DeliveryRepository` is the one repository services are given for the outbox and its
neighbours; its parts live by table: queueing an article for its audience
(`storage/fanout.py`), broadcast progress (`storage/broadcasts.py`) and which message shows
which article (`storage/article_messages.py`). The sender's claims are `storage/outbox.py`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from storage.article_messages import ArticleMessageRepository
from storage.broadcasts import BroadcastRepository
from storage.fanout import FanoutRepository
from storage.models import Delivery, DeliveryCounts, to_ts

# Compacted rows that were resent after a crash keep that fact as their reason in
# delivery_totals (storage/retention.py), so statistics count them the same afterwards.
AMBIGUOUS_REASON = "resent after a crash (ambiguous)"


@dataclass(frozen=True)
class DigestBatch:
    """Every digest delivery owed to one chat at once."""

    chat_id: int
    deliveries: tuple[Delivery, ...]


class DeliveryRepository(FanoutRepository, BroadcastRepository, ArticleMessageRepository):
    """Plain SQL over deliveries (statuses, digests due, counts), with the fan-out, broadcasts
    and article_messages parts it is built from."""

    async def due_digests(self, now: datetime, limit: int) -> list[DigestBatch]:
        """Chats whose digest is due, each with every digest delivery it is owed."""
        chats = await self.db.fetchall(
            "SELECT DISTINCT chat_id FROM deliveries"
            " WHERE status = 'pending' AND kind = 'digest' AND due_at <= ? LIMIT ?",
            (to_ts(now), limit),
        )
        batches = []
        for chat in chats:
            rows = await self.db.fetchall(
                "SELECT id, article_id, chat_id, kind, attempts FROM deliveries"
                " WHERE chat_id = ? AND status = 'pending' AND kind = 'digest' AND due_at <= ?"
                " ORDER BY article_id",
                (chat["chat_id"], to_ts(now)),
            )
            items = tuple(
                Delivery(r["id"], r["article_id"], r["chat_id"], r["kind"], r["attempts"])
                for r in rows
            )
            batches.append(DigestBatch(chat["chat_id"], items))
        return batches

    async def mark_failed(self, delivery_id: int, reason: str, now: datetime) -> None:
        """Give up on a delivery, keeping the reason."""
        await self.db.execute(
            "UPDATE deliveries SET status = 'failed', last_error = ?, sent_at = ?,"
            " attempts = attempts + 1, sending_at = NULL WHERE id = ?",
            (reason[:500], to_ts(now), delivery_id),
        )

    async def retry_later(
        self, delivery_id: int, due: datetime, reason: str, *, count_attempt: bool = True
    ) -> None:
        """Put a delivery back in the queue for a later try."""
        await self.db.execute(
            "UPDATE deliveries SET due_at = ?, last_error = ?, attempts = attempts + ?,"
            " sending_at = NULL WHERE id = ? AND status = 'pending'",
            (to_ts(due), reason[:500], int(count_attempt), delivery_id),
        )

    async def fail_chat(self, chat_id: int, reason: str, now: datetime) -> int:
        """Fail every pending delivery of a chat that can no longer be reached."""
        count, _ = await self.db.execute(
            "UPDATE deliveries SET status = 'failed', last_error = ?, sent_at = ?"
            " WHERE chat_id = ? AND status = 'pending'",
            (reason, to_ts(now), chat_id),
        )
        return count

    async def cancel_chat(self, chat_id: int) -> int:
        """Cancel a chat's pending deliveries (the reader unsubscribed)."""
        count, _ = await self.db.execute(
            "UPDATE deliveries SET status = 'cancelled', last_error = 'unsubscribed'"
            " WHERE chat_id = ? AND status = 'pending'",
            (chat_id,),
        )
        return count

    async def cancel_article(self, article_id: int) -> int:
        """Cancel an article's pending deliveries (it was withdrawn)."""
        count, _ = await self.db.execute(
            "UPDATE deliveries SET status = 'cancelled', last_error = 'withdrawn'"
            " WHERE article_id = ? AND status = 'pending'",
            (article_id,),
        )
        return count

    async def reschedule_chat(self, chat_id: int, kind: str, due: datetime) -> None:
        """Move a chat's pending deliveries to a new kind and due time (settings changed)."""
        await self.db.execute(
            "UPDATE deliveries SET kind = ?, due_at = ? WHERE chat_id = ? AND status = 'pending'",
            (kind, to_ts(due), chat_id),
        )

    async def counts(self, article_id: int | None = None) -> DeliveryCounts:
        """Deliveries per status, overall or for one article, compacted ones included."""
        where, params = ("WHERE article_id = ?", (article_id,)) if article_id else ("", ())
        # Rows still on record plus those compacted into per-article totals (retention).
        rows = await self.db.fetchall(
            "SELECT status, count(*) AS n, sum(ambiguous) AS resent"
            f" FROM deliveries {where} GROUP BY status UNION ALL"
            " SELECT status, sum(n) AS n,"
            f" sum(CASE reason WHEN '{AMBIGUOUS_REASON}' THEN n ELSE 0 END) AS resent"
            f" FROM delivery_totals {where} GROUP BY status",
            params * 2,
        )
        found: Counter[str] = Counter()
        for r in rows:
            found[r["status"]] += int(r["n"])
        return DeliveryCounts(
            pending=found.get("pending", 0),
            sent=found.get("sent", 0),
            failed=found.get("failed", 0),
            cancelled=found.get("cancelled", 0),
            ambiguous=sum(r["resent"] or 0 for r in rows),
        )

    async def pending_instant(self, article_id: int) -> int:
        """Per-article deliveries of an article still waiting to be sent."""
        row = await self.db.fetchone(
            "SELECT count(*) AS n FROM deliveries"
            " WHERE article_id = ? AND status = 'pending' AND kind = 'instant'",
            (article_id,),
        )
        return int(row["n"]) if row else 0
