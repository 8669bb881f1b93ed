"""The statistics chart as a PNG: subscribers over time, deliveries per day, engagement.

matplotlib is imported only when a chart is drawn (it costs about a second of start-up), and
drawing runs in a worker thread (`chart_png`) so that the bot keeps answering meanwhile. The
object-oriented API with the Agg canvas is used: pyplot's global state is not thread-safe."""

from __future__ import annotations

import asyncio
import io
import itertools
import warnings
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.i18n import N_, _
from bot.services.delivery.stats import ArticleFigures, ChartData
from bot.services.text.formatting import button_title

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_EPOCH = date(1970, 1, 1).toordinal()
_ENGAGEMENT = (
    (N_("reactions"), "#f2a541"),
    (N_("related taps"), "#3c91e6"),
    (N_("comment opens"), "#9bc53d"),
    (N_("comments"), "#5b3758"),
    (N_("left within 24 h"), "#e55934"),
)


async def chart_png(data: ChartData) -> bytes:
    """Draw the chart off the event loop."""
    return await asyncio.to_thread(render_chart, data)


def render_chart(data: ChartData) -> bytes:
    """Draw the three panels and return PNG bytes (blocking: call through chart_png)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 11), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    top, middle, bottom = figure.subplots(3, 1, height_ratios=(1, 1, 1.3))
    _subscribers(top, data)
    _deliveries(middle, data)
    _engagement(bottom, data.articles)
    out = io.BytesIO()
    # Titles may hold characters the bundled font lacks; a missing glyph is drawn as a box,
    # and its warning must not fail anything.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figure.savefig(out, format="png")
    return out.getvalue()


def _empty(axes: Axes, title: str) -> None:
    axes.set_title(title)
    axes.text(0.5, 0.5, _("no data yet"), ha="center", va="center", transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def _subscribers(axes: Axes, data: ChartData) -> None:
    title = _("Subscribers: joined, left and net total per day (UTC)")
    if not data.days:
        _empty(axes, title)
        return
    days = _day_numbers(data)
    axes.bar(days, [d.joins for d in data.days], color="#2e9e5b", label=_("joined"))
    axes.bar(days, [-d.leaves for d in data.days], color="#d64545", label=_("left"))
    axes.axhline(0, color="#888888", linewidth=0.8)
    axes.set_ylabel(_("readers per day"))
    net = list(itertools.accumulate((d.joins - d.leaves for d in data.days), initial=0))[1:]
    total = axes.twinx()
    total.plot(days, [data.start_total + n for n in net], color="#222222", label=_("net total"))
    total.set_ylabel(_("net subscribers"))
    handles = axes.get_legend_handles_labels()[0] + total.get_legend_handles_labels()[0]
    axes.legend(handles=handles, loc="upper left", fontsize="small")
    axes.set_title(title)
    _date_axis(axes)


def _deliveries(axes: Axes, data: ChartData) -> None:
    title = _("Deliveries per day (UTC)")
    if not any(d.sent or d.failed for d in data.days):
        _empty(axes, title)
        return
    days = _day_numbers(data)
    sent = [d.sent for d in data.days]
    axes.bar(days, sent, color="#3c91e6", label=_("sent"))
    axes.bar(days, [d.failed for d in data.days], bottom=sent, color="#d64545", label=_("failed"))
    axes.set_ylabel(_("messages"))
    axes.legend(loc="upper left", fontsize="small")
    axes.set_title(title)
    _date_axis(axes)


def _date_axis(axes: Axes) -> None:
    axes.xaxis_date()  # the x values are matplotlib date numbers (see _day_numbers)
    axes.tick_params(axis="x", labelrotation=30)


def _day_numbers(data: ChartData) -> list[float]:
    # matplotlib's date numbers count days since its epoch, 1970-01-01 by default.
    return [float(d.day.toordinal() - _EPOCH) for d in data.days]


def _engagement(axes: Axes, articles: list[ArticleFigures]) -> None:
    title = _("Engagement per article (latest first)")
    if not articles:
        _empty(axes, title)
        return
    rows = list(reversed(articles))  # newest at the top
    values: list[list[int]] = [
        [
            sum(n for _, n in a.engagement.reactions),
            a.engagement.related_taps,
            a.engagement.comment_opens,
            a.engagement.comments,
            a.engagement.unsubscribes_24h,
        ]
        for a in rows
    ]
    height = 0.8 / len(_ENGAGEMENT)
    for k, (label, color) in enumerate(_ENGAGEMENT):
        offsets = [i - 0.4 + height * (k + 0.5) for i in range(len(rows))]
        axes.barh(offsets, [v[k] for v in values], height=height, color=color, label=_(label))
    labels: list[Any] = [f"#{a.id} {button_title(a.title, 32)}" for a in rows]
    axes.set_yticks(range(len(rows)), labels=labels, fontsize="small")
    axes.set_xlabel(_("count"))
    axes.legend(loc="lower right", fontsize="small")
    axes.set_title(title)
