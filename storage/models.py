"""Frozen dataclasses returned by the repositories. Times are timezone-aware UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


def to_ts(moment: datetime) -> int:
    """Store an aware datetime as Unix seconds."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return int(moment.timestamp())


def from_ts(value: int | None) -> datetime | None:
    """Read Unix seconds back as an aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(value, tz=UTC)


@dataclass(frozen=True)
class Subscriber:
    """A chat that receives articles."""

    chat_id: int
    chat_type: str
    name: str
    status: str  # active | inactive | unsubscribed
    inactive_reason: str | None
    mode: str  # instant | digest
    digest_hour: int
    timezone: str
    topics: tuple[str, ...] = ()
    source: str = ""  # where the chat came from (deep link); "" for a plain /start
    follows: tuple[str, ...] = ()  # words whose articles arrive even outside the topics
    mutes: tuple[str, ...] = ()  # words whose articles are skipped
    language: str = "en"  # the bot's texts for this chat: en | ru | uz

    @property
    def active(self) -> bool:
        """Whether deliveries go to this chat."""
        return self.status == "active"


@dataclass(frozen=True)
class NewArticle:
    """An article before it is stored."""

    title: str
    body: str
    summary: str
    url: str | None = None
    author: str | None = None
    image_url: str | None = None
    tags: tuple[str, ...] = ()
    source: str = "admin"  # admin | feed | import
    external_id: str | None = None
    link_preview: bool = True
    created_by: int | None = None
    published_at: datetime | None = None  # original date, for imports
    page_date: date | None = None  # the date its own page gives, when known


@dataclass(frozen=True)
class Article:
    """A stored article."""

    id: int
    title: str
    body: str
    summary: str
    url: str | None
    author: str | None
    image_url: str | None
    source: str
    status: str  # draft | scheduled | published | withdrawn | archived
    link_preview: bool
    created_by: int | None
    created_at: datetime
    scheduled_at: datetime | None
    published_at: datetime | None
    external_id: str | None = None
    tags: tuple[str, ...] = ()
    photo_refused: bool = False  # Telegram refused its lead image: sent as text from then on
    page_date: date | None = None  # the date its own page gives, when known


@dataclass(frozen=True)
class FeedOrigin:
    """The feed a draft came from, as it was when the draft was made."""

    name: str  # its title ("" when it has none: then its address names it)
    url: str = ""  # "" in notes from before migration 0013, which kept only the name
    mode: str = "review"  # auto | review
    feed_id: int | None = None  # None once the feed is removed, or when not known


@dataclass(frozen=True)
class PageProblem:
    """Why a page (a feed entry's link) or a feed (its last poll) could not be used: a reason
    code and its values."""

    # A code of bot/services/ingest/problems (http_status, timeout, too_many_redirects, ...).
    reason: str
    status: int | None = None  # the HTTP status (http_status)
    # The content type (not_a_page, not_a_feed); the limit passed (too_many_redirects: hops,
    # page_too_large and feed_too_large: megabytes); for `other` from before reasons were set
    # where they arise, the fetcher's English sentence.
    detail: str = ""


@dataclass(frozen=True)
class DraftNote:
    """What the admin should know about a draft: where it came from, what went wrong. Data,
    put into words in the language of whoever reads the preview."""

    feed: FeedOrigin | None = None  # None for /publish
    problem: PageProblem | None = None  # why a feed entry's page was not used
    # English sentences stored before migration 0013 that it could not read back as data.
    legacy_origin: str = ""
    legacy_problem: str = ""


@dataclass(frozen=True)
class Audience:
    """How many active readers an article would reach, by how they receive articles."""

    instant: int = 0
    digest: int = 0


@dataclass(frozen=True)
class Delivery:
    """One pending outbox row: an article owed to a chat."""

    id: int
    article_id: int
    chat_id: int
    kind: str  # instant | digest
    attempts: int


@dataclass(frozen=True)
class DeliveryCounts:
    """Outbox totals, overall or for one article."""

    pending: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    # Rows in flight when the bot last died: resent, so a reader may have two copies.
    ambiguous: int = 0


@dataclass(frozen=True)
class Comment:
    """A reader's comment on an article."""

    id: int
    article_id: int
    chat_id: int
    message_id: int
    user_id: int
    user_name: str
    text: str
    status: str  # visible | pending | hidden
    created_at: datetime
    source: str = "bot"  # bot (a reply to the bot's message) | discussion (channel's group)


@dataclass(frozen=True)
class Feed:
    """An RSS/Atom feed polled for new entries."""

    id: int
    url: str
    mode: str  # auto | review
    title: str
    added_by: int | None
    last_polled_at: datetime | None
    # Why the last poll failed (None: it worked), worded when an admin reads it.
    problem: PageProblem | None
    consecutive_failures: int
    failure_reported: bool


@dataclass(frozen=True)
class ImportRow:
    """One archive article to insert or update (keyed by url, else external_id)."""

    line: int
    url: str | None
    external_id: str | None
    title: str
    body: str
    summary: str
    content_hash: str
    tags: tuple[str, ...] = ()
    published_at: datetime | None = None


@dataclass(frozen=True)
class ImportBatchResult:
    """What one import batch did; skipped holds (line number, reason) pairs."""

    added: int = 0
    updated: int = 0
    skipped: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Engagement:
    """What readers did with one article (counter rows, kept through retention)."""

    article_id: int
    related_taps: int = 0
    comment_opens: int = 0
    comments: int = 0
    unsubscribes_24h: int = 0
    reactions: tuple[tuple[str, int], ...] = ()  # (emoji, count), most first


@dataclass(frozen=True)
class DayCounts:
    """One UTC day: readers who joined and left, deliveries sent and failed."""

    day: date
    joins: int = 0
    leaves: int = 0
    sent: int = 0
    failed: int = 0
