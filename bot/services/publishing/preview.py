"""The admin's preview of a draft: the article as readers will see it, under a header that
says it is a preview, whom it will reach, where it came from and what needs checking.

Readers' buttons (Comment, related reading) are left off: on a draft they would do nothing.
With SECTIONS set, a row of section toggles sits above the publish buttons.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from bot.i18n import _, ngettext
from bot.services.ingest.problems import describe
from bot.services.messaging.callback_data import ToggleSection
from bot.services.messaging.notifier import Button, Keyboard, OutgoingMessage
from bot.services.publishing.drafts import admin_keyboard
from bot.services.text.formatting import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    escape,
    render_article,
    render_caption,
    visible_len,
)
from storage.models import Article, Audience, DraftNote, FeedOrigin

RULE = "─" * 12
SECTIONS_PER_ROW = 3
# A photo card's caption holds 1,024 units: past this the header keeps only its first lines,
# so the article keeps room for its title and summary.
CAPTION_HEADER_MAX = 400


@dataclass(frozen=True)
class PreviewFacts:
    """Everything a preview shows besides the article itself."""

    article: Article
    audience: Audience
    note: DraftNote
    sections: tuple[str, ...]  # the publisher's SECTIONS, empty when not configured
    channel: str | None = None  # the publisher's channel, when the bot posts there


def _readers(count: int) -> str:
    return ngettext("{n} reader", "{n} readers", count).format(n=count)


def _sections_line(facts: PreviewFacts) -> str | None:
    if not facts.sections:
        return None
    chosen = [s for s in facts.sections if s in facts.article.tags]
    if not chosen:
        return _("🏷 No section: only readers who follow every topic get it. Tap one below.")
    names = ", ".join(f"#{escape(s)}" for s in chosen)
    return _("🏷 Sections: {names} (tap to change)").format(names=names)


def _reach_line(facts: PreviewFacts) -> str:
    audience = facts.audience
    instant, digest = _readers(audience.instant), _readers(audience.digest)
    if facts.channel:
        return _(
            "👥 Publishing it reaches {instant} at once and {digest} in their daily digest, "
            "and is posted in the channel {channel}."
        ).format(instant=instant, digest=digest, channel=escape(facts.channel))
    return _(
        "👥 Publishing it reaches {instant} at once and {digest} in their daily digest."
    ).format(instant=instant, digest=digest)


def _origin(feed: FeedOrigin, held: bool) -> str:
    name = feed.name or feed.url
    if feed.mode == "auto" and held:
        return _("the feed {feed} (auto, held for review)").format(feed=name)
    if feed.mode == "auto":
        return _("the feed {feed} (auto)").format(feed=name)
    return _("the feed {feed} (review)").format(feed=name)


def note_lines(note: DraftNote) -> list[str]:
    """Where a draft came from and what went wrong on the way, in the current language."""
    origin = _origin(note.feed, note.problem is not None) if note.feed else note.legacy_origin
    lines = [_("📡 From {origin}.").format(origin=escape(origin))] if origin else []
    if note.problem is not None:
        error = describe(note.problem).rstrip(".")
        problem = _(
            "The linked page could not be used ({error}): this is the feed's own "
            "summary, and its link may be dead. Check before publishing."
        ).format(error=error)
    else:
        problem = note.legacy_problem  # stored in English before notes were data
    if problem:
        lines.append(f"⚠️ {escape(problem)}")
    return lines


def preview_header(facts: PreviewFacts, *, compact: bool = False) -> str:
    """The lines above the article: preview, audience, then (unless compact) origin, problem
    and sections."""
    lines = [
        _("👁 <b>Preview</b> of draft #{id}: not sent to anyone yet.").format(id=facts.article.id),
        _reach_line(facts),
    ]
    if not compact:
        lines.extend(note_lines(facts.note))
        sections = _sections_line(facts)
        if sections:
            lines.append(sections)
    lines.append(RULE)
    return "\n".join(lines)


def sections_keyboard(article: Article, sections: tuple[str, ...]) -> Keyboard:
    """One toggle per section, ✅ when the article is in it."""
    buttons = [
        Button(("✅ " if s in article.tags else "") + f"#{s}", ToggleSection(article.id, i).pack())
        for i, s in enumerate(sections)
    ]
    return tuple(
        tuple(buttons[i : i + SECTIONS_PER_ROW]) for i in range(0, len(buttons), SECTIONS_PER_ROW)
    )


def preview_message(facts: PreviewFacts, base: OutgoingMessage, tz: ZoneInfo) -> OutgoingMessage:
    """The whole preview: the header over the article as readers get it (`base`, the reader's
    message, a photo card or text), then the section and admin buttons instead of readers'."""
    article = facts.article
    header = preview_header(facts)
    text = render_article(article, tz=tz, limit=MESSAGE_LIMIT - visible_len(header) - 2)
    caption = base.caption
    if caption is not None:
        if visible_len(header) > CAPTION_HEADER_MAX:
            header_short = preview_header(facts, compact=True)
        else:
            header_short = header
        room = CAPTION_LIMIT - visible_len(header_short) - 2
        caption = f"{header_short}\n\n{render_caption(article, tz=tz, limit=room)}"
    return replace(
        base,
        text=f"{header}\n\n{text}",
        caption=caption,
        keyboard=sections_keyboard(article, facts.sections) + admin_keyboard(article, tz),
    )
