"""Importing an article archive from JSON Lines: stored as 'archived', never delivered.

Each line is an object with `title`, `body` and at least one of `url` / `id`; optional
`published_at` (ISO 8601, naive means UTC, or Unix seconds) and `tags` (a list or a
comma-separated string). The url is the key, else the id (stored as external_id), so a
second import of the same file updates the articles instead of adding them again. Lines
are stored in batches, one transaction each, with an extractive summary per body.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.clock import Clock
from bot.services.publishing.drafts import content_hash
from bot.services.text.summarize import summarize
from bot.services.text.tags import normalize_tags
from storage.articles import ArticleRepository
from storage.models import ImportRow

BATCH_SIZE = 1000
Summarizer = Callable[[list[tuple[str, str]]], list[str]]


class SkipLine(Exception):
    """A line that cannot be imported; str() is the reason."""


@dataclass(frozen=True)
class ImportSummary:
    """What an import did."""

    lines: int
    added: int
    updated: int
    skipped: tuple[tuple[int, str], ...]

    def text(self) -> str:
        """One summary line, e.g. "added 10, updated 2, skipped 1 (invalid JSON: line 4)"."""
        head = f"added {self.added}, updated {self.updated}, skipped {len(self.skipped)}"
        if not self.skipped:
            return head
        by_reason: dict[str, list[int]] = {}
        for line, reason in sorted(self.skipped):
            by_reason.setdefault(reason, []).append(line)
        parts = []
        for reason, lines in sorted(by_reason.items(), key=lambda item: -len(item[1])):
            shown = ", ".join(str(n) for n in lines[:5]) + (", …" if len(lines) > 5 else "")
            parts.append(f"{len(lines)} {reason} (line {shown})")
        return f"{head}: " + "; ".join(parts)


def summarize_all(pairs: list[tuple[str, str]]) -> list[str]:
    """Summaries of (title, body) pairs, one after the other."""
    return [summarize(title, body) for title, body in pairs]


def summarize_pair(pair: tuple[str, str]) -> str:
    """One summary; a top-level function so that a process pool can run it."""
    return summarize(pair[0], pair[1])


def _text_field(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if not isinstance(value, str):
        raise SkipLine(f"{name} missing or not text")
    return value


def _published(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, tz=UTC)
        if isinstance(value, str):
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise SkipLine("published_at is not ISO 8601 or Unix seconds")


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return normalize_tags(value.split(","))
    if isinstance(value, list) and all(isinstance(tag, str) for tag in value):
        return normalize_tags(value)
    if value is None:
        return ()
    raise SkipLine("tags must be a list or a comma-separated string")


def parse_line(line: str, number: int) -> ImportRow:
    """One JSON line as an ImportRow without its summary; raise SkipLine when unusable."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        raise SkipLine("invalid JSON") from None
    if not isinstance(record, dict):
        raise SkipLine("not a JSON object")
    title, body = _text_field(record, "title").strip(), _text_field(record, "body")
    if not title:
        raise SkipLine("empty title")
    url = record.get("url") or None
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        raise SkipLine("url is not an http(s) link")
    raw_id = record.get("id")
    external_id = None if raw_id is None or isinstance(raw_id, bool) else str(raw_id)
    if external_id is not None and not isinstance(raw_id, str | int):
        raise SkipLine("id must be text or a number")
    if url is None and not external_id:
        raise SkipLine("neither url nor id")
    return ImportRow(
        line=number,
        url=url,
        external_id=external_id,
        title=title,
        body=body,
        summary="",
        content_hash=content_hash(title, body),
        tags=_tags(record.get("tags")),
        published_at=_published(record.get("published_at")),
    )


class ArchiveImporter:
    """Reads JSON lines and stores them batch by batch."""

    def __init__(
        self,
        articles: ArticleRepository,
        clock: Clock,
        *,
        summarizer: Summarizer = summarize_all,
        progress: Callable[[int], None] | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.articles = articles
        self.clock = clock
        self.summarizer = summarizer
        self.progress = progress
        self.batch_size = batch_size

    async def run(self, lines: Iterable[str]) -> ImportSummary:
        """Import every line; return the totals."""
        totals: Counter[str] = Counter()
        skipped: list[tuple[int, str]] = []
        batch: list[ImportRow] = []
        number = 0
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                batch.append(parse_line(line, number))
            except SkipLine as exc:
                skipped.append((number, str(exc)))
            if len(batch) >= self.batch_size:
                await self._store(batch, totals, skipped)
                batch = []
            if self.progress is not None and number % self.batch_size == 0:
                self.progress(number)
        if batch:
            await self._store(batch, totals, skipped)
        return ImportSummary(number, totals["added"], totals["updated"], tuple(sorted(skipped)))

    async def _store(
        self, batch: list[ImportRow], totals: Counter[str], skipped: list[tuple[int, str]]
    ) -> None:
        summaries = self.summarizer([(row.title, row.body) for row in batch])
        rows = [
            dataclasses.replace(row, summary=summary)
            for row, summary in zip(batch, summaries, strict=True)
        ]
        result = await self.articles.import_batch(rows, self.clock.now())
        totals["added"] += result.added
        totals["updated"] += result.updated
        skipped.extend(result.skipped)
