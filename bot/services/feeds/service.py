"""RSS/Atom feeds: adding, polling, and turning new entries into articles.

Decisions:
- Adding a feed fetches it at once (a bad address is refused right away) and marks every
  entry it already lists as seen, so subscribers never get the back catalogue; only entries
  that appear later are taken (at most MAX_NEW_PER_POLL per poll).
- An entry of an `auto` feed whose linked page cannot be fetched or extracted is not
  published: it goes to the admins as a preview saying why (a reader must never get a link
  to a missing page). Previews say which feed they came from.
- A failing feed keeps being polled, with the interval doubled per failure in a row up to
  MAX_BACKOFF times FEED_POLL_MINUTES. After REPORT_AFTER failures in a row every admin is
  told once; when it works again they are told that too. Why it failed is kept as data (a
  PageProblem), worded when an admin reads /feeds or that report, in the admin's language.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_, _
from bot.services.feeds.parse import FeedEntry, FeedError, ParsedFeed, parse_feed
from bot.services.ingest.extract import ExtractedArticle
from bot.services.ingest.fetch import FetchError, fetch_feed_bytes, make_client
from bot.services.ingest.problems import describe
from bot.services.messaging.notifier import LanguageOf, Notifier, OutgoingMessage, to_each_chat
from bot.services.publishing.drafts import PageError, PublishError, load_url
from bot.services.publishing.workflow import DraftCreated, PublishingService
from bot.services.text.formatting import escape
from bot.services.text.tags import normalize_tags
from storage.feeds import FeedRepository
from storage.models import DraftNote, Feed, FeedOrigin, PageProblem

log = logging.getLogger(__name__)

MODES = ("auto", "review")
REPORT_AFTER = 3
MAX_BACKOFF = 8
MAX_NEW_PER_POLL = 20


def last_failure(feed: Feed) -> str | None:
    """Why the feed's last poll failed, in the current language (None: it worked)."""
    return describe(feed.problem) if feed.problem is not None else None


class FeedService:
    """Keeps the feed list and publishes (or offers for review) what feeds bring."""

    def __init__(
        self,
        feeds: FeedRepository,
        publishing: PublishingService,
        notifier: Notifier,
        clock: Clock,
        settings: Settings,
        language_of: LanguageOf | None = None,
    ) -> None:
        self.language_of = language_of
        self.feeds = feeds
        self.publishing = publishing
        self.notifier = notifier
        self.clock = clock
        self.settings = settings

    async def add(self, url: str, mode: str, added_by: int | None) -> Feed:
        """Check and store a feed; entries it lists now are marked as already seen."""
        if mode not in MODES:
            raise PublishError(
                _("The mode must be auto or review, not “{mode}”.").format(mode=mode)
            )
        existing = await self.feeds.find_by_url(url)
        if existing is not None:
            number = await self.number_of(existing.id)
            raise PublishError(
                _("That feed is already in the list as number {number}.").format(number=number)
            )
        try:
            parsed = await self._fetch(url)
        except (FetchError, FeedError) as exc:
            raise PublishError(str(exc)) from exc
        keys = [entry.key for entry in parsed.entries]
        return await self.feeds.add(url, mode, parsed.title, added_by, keys, self.clock.now())

    async def list(self) -> list[Feed]:
        """Every feed, numbered from 1 in this order."""
        return await self.feeds.all()

    async def number_of(self, feed_id: int) -> int:
        """A feed's number in the list."""
        ids = [feed.id for feed in await self.feeds.all()]
        return ids.index(feed_id) + 1 if feed_id in ids else 0

    async def remove(self, number: int) -> Feed:
        """Remove the feed with this list number."""
        feeds = await self.feeds.all()
        if not 1 <= number <= len(feeds):
            raise PublishError(
                _("There is no feed number {number}; /feeds lists them.").format(number=number)
            )
        feed = feeds[number - 1]
        await self.feeds.remove(feed.id)
        return feed

    async def _fetch(self, url: str) -> ParsedFeed:
        """The feed at url; FetchError or FeedError (each with its `problem`) if unusable."""
        async with make_client() as client:
            page = await fetch_feed_bytes(
                url, client=client, allow_private=self.settings.allow_private_urls
            )
        return parse_feed(page.body, page.url)

    def _due(self, feed: Feed, now: datetime) -> bool:
        if feed.last_polled_at is None:
            return True
        factor = min(2**feed.consecutive_failures, MAX_BACKOFF)
        return now - feed.last_polled_at >= timedelta(
            minutes=self.settings.feed_poll_minutes * factor
        )

    async def poll_due(self) -> int:
        """Poll every feed whose time has come; return how many articles they produced."""
        made = 0
        for feed in await self.feeds.all():
            if not self._due(feed, self.clock.now()):
                continue
            try:
                made += await self.poll(feed)
            except Exception:  # one broken feed must not stop the others
                log.exception("polling feed %s failed", feed.url)
        return made

    async def poll(self, feed: Feed) -> int:
        """Fetch one feed and take its new entries; return how many articles were made."""
        try:
            parsed = await self._fetch(feed.url)
        except (FetchError, FeedError) as exc:
            await self._failed(feed, exc.problem)
            return 0
        await self.feeds.record_success(feed.id, parsed.title, self.clock.now())
        if feed.failure_reported:
            await self._tell_admins(
                N_("✅ The feed {feed} works again."), feed=escape(feed.title or feed.url)
            )
        keys = [e.key for e in parsed.entries]
        unseen = await self.feeds.unseen(feed.id, keys)
        await self.feeds.touch(feed.id, [k for k in keys if k not in unseen], self.clock.now())
        # Feeds list the newest first; publish in the order things happened.
        fresh = list({e.key: e for e in reversed(parsed.entries) if e.key in unseen}.values())
        made = 0
        for entry in fresh[:MAX_NEW_PER_POLL]:
            article_id = await self._take(feed, entry)
            await self.feeds.mark_seen(feed.id, entry.key, article_id, self.clock.now())
            made += article_id is not None
        return made

    async def _failed(self, feed: Feed, problem: PageProblem) -> None:
        # Kept as data: /feeds and the report below word it in each admin's language.
        await self.feeds.record_failure(feed.id, problem, self.clock.now())
        failures = feed.consecutive_failures + 1
        log.warning("feed %s failed (%s in a row): %s", feed.url, failures, describe(problem))
        if failures >= REPORT_AFTER and not feed.failure_reported:
            number = await self.number_of(feed.id)
            slower = self.settings.feed_poll_minutes * min(2**failures, MAX_BACKOFF)
            await self._tell_admins(
                N_(
                    "⚠️ The feed {feed} failed {failures} times in a row: {error}\n"
                    "I keep trying every {minutes} minutes. /feeds remove {number} drops it."
                ),
                feed=escape(feed.title or feed.url),
                failures=failures,
                error=problem,
                minutes=slower,
                number=number,
            )
            await self.feeds.mark_reported(feed.id)

    async def _take(self, feed: Feed, entry: FeedEntry) -> int | None:
        """Make an article of one entry: published (auto) or offered to admins (review).

        An auto feed's entry whose linked page cannot be fetched or extracted is offered for
        review too, with the reason: published, it would send every reader a dead link."""
        extracted, problem = await self._extract(entry)
        if extracted is None:
            log.info("feed %s: entry %s has nothing to publish", feed.url, entry.key)
            return None
        # Kept as data, put into words in the language of whoever reads the preview.
        origin = FeedOrigin(feed.title, feed.url, feed.mode, feed.id)
        outcome = await self.publishing.create_draft(
            extracted, created_by=None, source="feed", note=DraftNote(origin, problem)
        )
        if not isinstance(outcome, DraftCreated):
            log.info("feed %s: entry %s was published before", feed.url, entry.key)
            return None
        article_id = outcome.article.id
        if feed.mode == "auto" and problem is None:
            await self.publishing.publish_from_feed(article_id)
            return article_id
        if problem is not None:
            reason = describe(problem)
            log.warning("feed %s: entry %s held for review: %s", feed.url, entry.key, reason)
        await to_each_chat(
            self.settings.admin_ids,
            lambda admin: self.publishing.send_preview(article_id, admin),
            f"the preview of feed article {article_id}",
            self.language_of,
        )
        return article_id

    async def _extract(
        self, entry: FeedEntry
    ) -> tuple[ExtractedArticle | None, PageProblem | None]:
        """The linked page's article; else the entry's own title and summary, with what went
        wrong with the page (None when the entry links nowhere, so no link can be dead)."""
        problem = None
        if entry.link:
            try:
                page = await load_url(entry.link, allow_private=self.settings.allow_private_urls)
            except PageError as exc:
                log.info("feed entry %s: using the feed's summary (%s)", entry.link, exc)
                problem = exc.problem
            else:
                tags = normalize_tags([*page.tags, *entry.tags])
                return dataclasses.replace(page, url=entry.link, tags=tags), None
        if not entry.title.strip():
            return None, problem
        summary = ExtractedArticle(
            url=entry.link,
            title=entry.title,
            body=entry.summary or entry.title,
            author=None,
            published=None,
            image_url=None,
            tags=entry.tags,
        )
        return summary, problem

    async def _tell_admins(self, message: str, **values: object) -> None:
        """A report to every admin in their language (`message`: an HTML msgid; a PageProblem
        among the values is worded in that language too)."""

        def text() -> str:
            worded = {
                key: escape(describe(value)) if isinstance(value, PageProblem) else value
                for key, value in values.items()
            }
            return _(message).format(**worded)

        await to_each_chat(
            self.settings.admin_ids,
            lambda admin: self.notifier.send(OutgoingMessage(admin, text(), disable_preview=True)),
            "a feed report",
            self.language_of,
        )
