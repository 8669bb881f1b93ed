"""Subscriber and delivery statistics, as text for /stats and `newsbot stats`."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.text.formatting import button_title, escape
from bot.services.text.timeutil import format_local
from storage.deliveries import DeliveryRepository
from storage.subscribers import SubscriberRepository

_STATUS = {
    "draft": "📝 draft",
    "scheduled": "⏰ scheduled",
    "published": "✅ published",
    "withdrawn": "🗑 withdrawn",
    "archived": "📚 archived",
}


def status_label(status: str, published_at: datetime | None) -> str:
    """An article's status for admins; a scheduled article called off says it never went out."""
    if status == "withdrawn" and published_at is None:
        return "✖ cancelled, never sent"
    return _STATUS.get(status, status)


async def stats_text(
    subscribers: SubscriberRepository,
    deliveries: DeliveryRepository,
    tz: ZoneInfo,
    *,
    html: bool = True,
) -> str:
    """Subscribers by status, deliveries by status, and the latest articles' figures."""
    subs = await subscribers.count_by_status()
    total = await deliveries.counts()
    bold = (lambda s: f"<b>{s}</b>") if html else (lambda s: s)
    esc = escape if html else (lambda s: s)
    lines = [
        bold("Subscribers"),
        f"Active: {subs.get('active', 0)} · Inactive: {subs.get('inactive', 0)}"
        f" · Unsubscribed: {subs.get('unsubscribed', 0)}",
        "",
        bold("Deliveries"),
        f"Pending: {total.pending} · Sent: {total.sent} · Failed: {total.failed}"
        f" · Cancelled: {total.cancelled}",
    ]
    latest = await deliveries.latest_stats(5)
    if latest:
        lines += ["", bold("Latest articles")]
    for item in latest:
        status = status_label(item.status, item.published_at)
        when = f", {format_local(item.published_at, tz)}" if item.published_at else ""
        c = item.counts
        lines.append(
            f"#{item.article_id} {esc(button_title(item.title, 40))} ({status}{when}): "
            f"sent {c.sent}, failed {c.failed}, pending {c.pending}"
        )
    return "\n".join(lines)
