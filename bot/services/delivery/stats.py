"""Subscriber, delivery and engagement statistics: /stats, `newsbot stats` and its JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import N_, _
from bot.services.text.formatting import button_title, escape
from bot.services.text.timeutil import format_local
from storage.articles import ArticleRepository
from storage.deliveries import DeliveryRepository
from storage.engagement import EngagementRepository
from storage.models import DayCounts, DeliveryCounts, Engagement
from storage.subscribers import SubscriberRepository

LATEST = 5  # articles /stats lists
CHART_DAYS = 60
CHART_ARTICLES = 10
_STATUSES = ("active", "inactive", "unsubscribed")
_STATUS = {
    "draft": N_("📝 draft"),
    "scheduled": N_("⏰ scheduled"),
    "published": N_("✅ published"),
    "withdrawn": N_("🗑 withdrawn"),
    "archived": N_("📚 archived"),
}


def status_label(status: str, published_at: datetime | None) -> str:
    """An article's status for admins; a scheduled article called off says it never went out."""
    if status == "withdrawn" and published_at is None:
        return _("✖ cancelled, never sent")
    return _(_STATUS[status]) if status in _STATUS else status


@dataclass(frozen=True)
class ArticleFigures:
    """Everything one article did."""

    id: int
    title: str
    status: str
    published_at: datetime | None
    counts: DeliveryCounts
    engagement: Engagement

    def as_json(self) -> dict[str, Any]:
        """The article's object in `newsbot stats --json`."""
        e = self.engagement
        return {
            "id": self.id,
            "title": self.title,
            "sent": self.counts.sent,
            "failed": self.counts.failed,
            "reactions": dict(e.reactions),
            "related_taps": e.related_taps,
            "comment_opens": e.comment_opens,
            "comments": e.comments,
            "unsubscribes_24h": e.unsubscribes_24h,
        }


@dataclass(frozen=True)
class StatsReport:
    """Subscribers by status and source, deliveries, and the articles asked for."""

    subscribers: dict[str, int]
    by_source: dict[str, int]
    totals: DeliveryCounts
    articles: list[ArticleFigures] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The object `newsbot stats --json` prints."""
        subs: dict[str, Any] = {s: self.subscribers.get(s, 0) for s in _STATUSES}
        return {
            "subscribers": {**subs, "by_source": dict(self.by_source)},
            "articles": [a.as_json() for a in self.articles],
        }


@dataclass(frozen=True)
class ChartData:
    """What the statistics chart draws."""

    days: list[DayCounts]
    articles: list[ArticleFigures]
    start_total: int = 0  # net subscribers before the first day shown


class StatsService:
    """Reads the figures; never writes."""

    def __init__(
        self,
        subscribers: SubscriberRepository,
        articles: ArticleRepository,
        deliveries: DeliveryRepository,
        engagement: EngagementRepository,
    ) -> None:
        self.subscribers = subscribers
        self.articles = articles
        self.deliveries = deliveries
        self.engagement = engagement

    async def figures(self, ids: list[int]) -> list[ArticleFigures]:
        """The figures of these articles, in this order (unknown ids are left out)."""
        found = {a.id: a for a in await self.articles.get_many(ids)}
        counters = await self.engagement.of_articles(ids)
        return [
            ArticleFigures(
                i,
                found[i].title,
                found[i].status,
                found[i].published_at,
                await self.deliveries.counts(i),
                counters[i],
            )
            for i in ids
            if i in found
        ]

    async def report(self, limit: int | None = LATEST) -> StatsReport:
        """Subscribers, deliveries and the latest `limit` published articles (None: all)."""
        ids = await self.engagement.published_ids(limit)
        return StatsReport(
            await self.subscribers.count_by_status(),
            await self.engagement.by_source(),
            await self.deliveries.counts(),
            await self.figures(ids),
        )

    async def chart_data(self, now: datetime) -> ChartData:
        """Daily figures for the chart's window and the latest articles' engagement."""
        every = await self.engagement.days(datetime.fromtimestamp(0, tz=now.tzinfo))
        first = (now - timedelta(days=CHART_DAYS - 1)).date()
        before = sum(d.joins - d.leaves for d in every if d.day < first)
        shown = [d for d in every if d.day >= first]
        ids = await self.engagement.published_ids(CHART_ARTICLES)
        return ChartData(shown, await self.figures(ids), before)


def _reactions(e: Engagement, html: bool) -> str:
    shown = " ".join(f"{escape(k) if html else k} {n}" for k, n in e.reactions[:8])
    return shown or _("none")


def article_lines(item: ArticleFigures, tz: ZoneInfo, *, html: bool = True) -> list[str]:
    """An article's figures as two lines of text."""
    status = status_label(item.status, item.published_at)
    when = f", {format_local(item.published_at, tz)}" if item.published_at else ""
    title = button_title(item.title, 40)
    c, e = item.counts, item.engagement
    return [
        f"#{item.id} {escape(title) if html else title} ({status}{when})",
        "   "
        + _(
            "sent {sent} · failed {failed} · pending {pending} · reactions {reactions} · "
            "related taps {related} · comment opens {opens} · comments {comments} · "
            "left within 24 h {left}"
        ).format(
            sent=c.sent,
            failed=c.failed,
            pending=c.pending,
            reactions=_reactions(e, html),
            related=e.related_taps,
            opens=e.comment_opens,
            comments=e.comments,
            left=e.unsubscribes_24h,
        ),
    ]


def stats_text(report: StatsReport, tz: ZoneInfo, *, html: bool = True) -> str:
    """Subscribers by status and source, deliveries by status, the articles' figures."""
    subs = report.subscribers
    bold = (lambda s: f"<b>{s}</b>") if html else (lambda s: s)
    esc = escape if html else (lambda s: s)
    sources = " · ".join(
        f"{esc(k or _('(plain /start)'))}: {n}" for k, n in list(report.by_source.items())[:10]
    )
    total = report.totals
    lines = [
        bold(_("Subscribers")),
        _("Active: {active} · Inactive: {inactive} · Unsubscribed: {unsubscribed}").format(
            active=subs.get("active", 0),
            inactive=subs.get("inactive", 0),
            unsubscribed=subs.get("unsubscribed", 0),
        ),
        _("Came from: {sources}").format(sources=sources or _("nobody yet")),
        "",
        bold(_("Deliveries")),
        _("Pending: {pending} · Sent: {sent} · Failed: {failed} · Cancelled: {cancelled}").format(
            pending=total.pending, sent=total.sent, failed=total.failed, cancelled=total.cancelled
        ),
    ]
    if total.ambiguous:
        # In flight when the bot was killed: resent, so these readers may have two copies.
        lines.append(
            _("Resent after a crash (possible duplicates): {n}").format(n=total.ambiguous)
        )
    if report.articles:
        lines += ["", bold(_("Latest articles"))]
    for item in report.articles:
        lines += article_lines(item, tz, html=html)
    return "\n".join(lines)
