"""One spelling for tags everywhere: stored, followed, and shown as #hashtags.

A tag is stored exactly as it is shown, so a reader who follows the #covid_19 they saw
under an article follows the tag that article carries."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NOT_WORD = re.compile(r"\W+")


def normalize_tag(raw: str) -> str:
    """'#Covid-19 ' -> 'covid_19'; '' when nothing word-like is left."""
    text = unicodedata.normalize("NFC", raw).strip().lstrip("#").lower()
    return _NOT_WORD.sub("_", text).strip("_")


def normalize_tags(raw: Iterable[str]) -> tuple[str, ...]:
    """Normalise and deduplicate tags, keeping their order."""
    seen: dict[str, None] = {}
    for item in raw:
        tag = normalize_tag(item)
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)
