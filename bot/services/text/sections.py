"""Sections: the publisher's fixed list of topics (SECTIONS), and which of them fit an article.

A section is stored and followed as a tag (its `normalize_tag` spelling), so articles and
readers' topics keep working the same way with or without SECTIONS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A mention in the headline counts; in the body it takes two, so one passing word does not
# file a story under a section.
BODY_MENTIONS = 2


def _mentions(section: str, text: str) -> int:
    """How often the section's words appear in text as whole words (a plural -s allowed)."""
    words = [re.escape(word) for word in section.split("_") if word]
    if not words:
        return 0
    pattern = r"(?<!\w)" + r"[\s_-]+".join(words) + r"s?(?!\w)"
    return len(re.findall(pattern, text, flags=re.IGNORECASE))


def suggest_sections(
    sections: Sequence[str], tags: Sequence[str], title: str, body: str
) -> tuple[str, ...]:
    """The sections an article seems to belong to: tagged with one, or naming it in the
    headline, or naming it repeatedly in the text; in the publisher's order."""
    return tuple(
        section
        for section in sections
        if section in tags
        or _mentions(section, title) > 0
        or _mentions(section, body) >= BODY_MENTIONS
    )


def toggled(tags: Sequence[str], section: str) -> tuple[str, ...]:
    """The tags with a section added, or removed when it was there."""
    if section in tags:
        return tuple(tag for tag in tags if tag != section)
    return (*tags, section)
