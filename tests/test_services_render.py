"""Tests for bot.services.text.formatting: layout, escaping, limits, digest splitting."""

from __future__ import annotations

import dataclasses
import itertools
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.text.formatting import (
    MESSAGE_LIMIT,
    SUMMARY_CAP,
    button_title,
    escape,
    render_article,
    telegram_len,
    truncate,
    visible_len,
)
from bot.services.text.multipart import render_digest_parts
from storage.models import Article
from tests.fakes.telegram_html import HtmlParseError, parse_telegram_html

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
CREATED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
_FORBIDDEN_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def make_article(**changes: object) -> Article:
    """A plain published article; tests override the fields they exercise."""
    base = Article(
        id=1,
        title="Council approves new bridge",
        body="The city council voted on Monday. The bridge opens in spring.",
        summary="The council approved the bridge.",
        url="https://news.example/bridge",
        author="Ann Lee",
        image_url=None,
        source="admin",
        status="published",
        link_preview=True,
        created_by=None,
        created_at=CREATED,
        scheduled_at=None,
        published_at=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def check_message(html_text: str) -> str:
    """Assert html_text is valid Telegram HTML within the limit; return its plain text."""
    plain, _entities = parse_telegram_html(html_text)
    assert telegram_len(plain) <= MESSAGE_LIMIT
    assert visible_len(html_text) == telegram_len(plain)
    assert not _FORBIDDEN_CONTROLS.search(plain)
    plain.encode("utf-8")  # lone surrogates would make the request impossible to send
    return plain


# --- the checker itself must be able to fail -------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["<b>open", "a < b", "a & b", "<script>x</script>", "<b><i>x</b></i>", '<a href="js:1">x</a>'],
)
def test_checker_rejects_invalid_html(bad: str) -> None:
    with pytest.raises(HtmlParseError):
        check_message(bad)


def test_checker_rejects_overlong_text() -> None:
    with pytest.raises(AssertionError):
        check_message("x" * (MESSAGE_LIMIT + 1))


# --- lengths, escaping, truncation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "units"),
    [("", 0), ("abc", 3), ("é", 1), ("e\u0301", 2), ("🎉", 2), ("👍🏽", 4), ("日本", 2)],
)
def test_telegram_len_counts_utf16_units(text: str, units: int) -> None:
    assert telegram_len(text) == units


@pytest.mark.parametrize(
    ("html_text", "units"),
    [("<b>a &amp; b</b>", 5), ('<a href="https://x.y/?a=1&amp;b">link</a>', 4), ("&lt;🎉&gt;", 4)],
)
def test_visible_len_ignores_tags_and_decodes_entities(html_text: str, units: int) -> None:
    assert visible_len(html_text) == units


def test_escape_escapes_markup_and_strips_controls() -> None:
    assert escape('a<b>&"c"\x00\x07\x1b\r\n\tz') == 'a&lt;b&gt;&amp;"c"\n\tz'


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("the quick brown fox", 12, "the quick…"),
        ("the quick brown fox", 10, "the quick…"),
        ("abcdefghijklmnop", 6, "abcde…"),
        ("🎉🎉🎉🎉", 5, "🎉🎉…"),
        ("cafe\u0301s are nice", 5, "caf…"),
        ("xe\u0301\u0301y", 3, "x…"),
        ("a 👍🏽👍🏽", 6, "a…"),
        ("anything", 1, "…"),
        ("anything", 0, ""),
    ],
)
def test_truncate_table(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected


@given(text=st.text(), limit=st.integers(min_value=0, max_value=60))
def test_truncate_fits_and_keeps_a_prefix(text: str, limit: int) -> None:
    result = truncate(text, limit)
    assert telegram_len(result) <= limit
    if telegram_len(text) <= limit:
        assert result == text
    elif result:
        assert result.endswith("…")
        assert text.startswith(result[:-1])


@pytest.mark.parametrize(
    ("title", "limit", "expected"),
    [
        ("  Council\n approves\tbridge  ", 48, "Council approves bridge"),
        ("A very long headline about many things", 20, "A very long…"),
        ("\x00\x01", 48, "(untitled)"),
    ],
)
def test_button_title(title: str, limit: int, expected: str) -> None:
    assert button_title(title, limit) == expected


# --- render_article -----------------------------------------------------------------------------


def test_render_article_layout() -> None:
    article = make_article(published_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC), tags=("city",))
    assert render_article(article, tz=BERLIN) == (
        "<b>Council approves new bridge</b>\n\n"
        "The council approved the bridge.\n\n"
        "<i>By Ann Lee · 1 Dec 2026</i>\n"
        '<a href="https://news.example/bridge">Read the full article</a>\n'
        "#city"
    )


def test_render_article_escapes_everything_from_outside() -> None:
    article = make_article(
        title="<script>alert(1)</script> & more",
        summary="1 < 2 && 3 > 2 <b>not bold</b>",
        author='O\'Brien "<i>"',
        url='https://x.example/?a=1&b="2"><b>',
    )
    html_text = render_article(article, tz=BERLIN)
    plain = check_message(html_text)
    assert "<script>alert(1)</script> & more" in plain
    assert "1 < 2 && 3 > 2 <b>not bold</b>" in plain
    assert 'By O\'Brien "<i>"' in plain
    _plain, entities = parse_telegram_html(html_text)
    assert [e.url for e in entities if e.type == "text_link"] == [
        'https://x.example/?a=1&b="2"><b>'
    ]


def test_render_article_strips_controls_but_keeps_newlines() -> None:
    article = make_article(title="Bad\x00 title\x1b", summary="Line one\x07\r\nLine\ttwo")
    plain = check_message(render_article(article, tz=BERLIN))
    assert plain.startswith("Bad title\n\nLine one\nLine\ttwo\n\n")


@pytest.mark.parametrize(
    ("published", "now", "tz", "expected"),
    [
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), None, BERLIN, "1 Dec 2026"),
        (datetime(2026, 11, 30, 14, 0, tzinfo=UTC), None, TOKYO, "30 Nov 2026"),
        (datetime(2026, 11, 30, 15, 0, tzinfo=UTC), None, TOKYO, "1 Dec 2026"),
        (None, None, BERLIN, "30 Nov 2026"),  # created_at
        (None, datetime(2027, 1, 2, 10, 0, tzinfo=UTC), BERLIN, "2 Jan 2027"),
        (
            datetime(2026, 5, 4, 10, 0, tzinfo=UTC),
            datetime(2027, 1, 2, 10, 0, tzinfo=UTC),
            BERLIN,
            "4 May 2026",
        ),
    ],
)
def test_render_article_date(
    published: datetime | None, now: datetime | None, tz: ZoneInfo, expected: str
) -> None:
    article = make_article(published_at=published, author=None)
    plain = check_message(render_article(article, tz=tz, now=now))
    assert plain.splitlines()[-2] == expected


def test_render_article_without_author_url_or_tags() -> None:
    article = make_article(author=None, url=None)
    assert render_article(article, tz=BERLIN).endswith(
        "The council approved the bridge.\n\n<i>30 Nov 2026</i>"
    )


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x.example/", "https://", "", "https://a b.example/"]
)
def test_render_article_drops_unusable_links(url: str) -> None:
    html_text = render_article(make_article(url=url), tz=BERLIN)
    check_message(html_text)
    assert "<a " not in html_text


def test_render_article_tags_become_hashtags() -> None:
    article = make_article(tags=("climate change", "#økonomi", "a-b", "", "!!!", "climate change"))
    plain = check_message(render_article(article, tz=BERLIN))
    assert plain.splitlines()[-1] == "#climate_change #økonomi #a_b"


def test_render_article_falls_back_to_body() -> None:
    body = "First sentence of the body. " * 100
    plain = check_message(render_article(make_article(summary="  ", body=body), tz=BERLIN))
    shown = plain.split("\n\n")[1]
    assert shown.startswith("First sentence of the body.")
    assert shown.endswith("…")
    assert telegram_len(shown) <= SUMMARY_CAP


def test_render_article_caps_summary() -> None:
    plain = check_message(render_article(make_article(summary="word " * 1000), tz=BERLIN))
    shown = plain.split("\n\n")[1]
    assert shown.endswith("…")
    assert SUMMARY_CAP - 10 <= telegram_len(shown) <= SUMMARY_CAP


def test_render_article_shortens_summary_before_title() -> None:
    title = "T" * 3500
    plain = check_message(render_article(make_article(title=title, summary="s " * 400), tz=BERLIN))
    title_shown, summary_shown = plain.split("\n\n")[:2]
    assert title_shown == title
    assert summary_shown.endswith("…")
    assert telegram_len(plain) > MESSAGE_LIMIT - 10  # the space is used, not wasted


def test_render_article_huge_everything_still_fits() -> None:
    article = make_article(
        title="🎉<&" * 40_000,
        summary="ü & " * 30_000,
        author="A" * 100_000,
        url="https://x.example/" + "p" * 100_000,
        tags=tuple(f"tag{i}" for i in range(5000)),
    )
    plain = check_message(render_article(article, tz=BERLIN))
    title_shown, summary_shown = plain.split("\n\n")[:2]
    assert title_shown.startswith("🎉<&🎉<&")
    # The title does not push the summary out.
    assert summary_shown.startswith("ü & ü & ")
    assert telegram_len(summary_shown) >= 200


def test_render_article_empty_title_is_never_empty() -> None:
    plain = check_message(render_article(make_article(title=" \x00 ", summary=""), tz=BERLIN))
    assert plain.startswith("(untitled)\n\n")


# --- digests (render_digest_parts) ---------------------------------------------------------------


def digest_texts(articles: list[Article], *, date_label: str) -> list[str]:
    """The digest's messages without the ids of the articles each lists."""
    return [text for text, _ in render_digest_parts(articles, date_label=date_label)]


def test_render_digest_empty() -> None:
    assert digest_texts([], date_label="1 Dec") == []


def test_render_digest_layout() -> None:
    first = make_article(title="A & B")
    second = make_article(id=2, title="C", summary="Second.", url=None)
    assert digest_texts([first, second], date_label="1 Dec <2026>") == [
        "<b>Your daily digest</b> · 1 Dec &lt;2026&gt;\n\n"
        '1. <b><a href="https://news.example/bridge">A &amp; B</a></b>\n'
        "The council approved the bridge.\n\n"
        "2. <b>C</b>\nSecond."
    ]


def _entry_numbers(message: str) -> list[int]:
    """Entry numbers in a digest message; raw "<b>" can only come from the renderer."""
    return [int(n) for n in re.findall(r"\n\n(\d+)\. <b>", message)]


def test_render_digest_splits_at_article_boundaries() -> None:
    articles = [
        make_article(id=i, title=f"Story {i}", summary=f"Summary {i} " + "x" * 700)
        for i in range(1, 21)
    ]
    messages = digest_texts(articles, date_label="1 Dec")
    assert len(messages) > 1
    assert messages[0].startswith("<b>Your daily digest</b> · 1 Dec\n\n1. ")
    numbers: list[int] = []
    for message in messages:
        plain = check_message(message)
        numbers += _entry_numbers(message)
        for number in _entry_numbers(message):
            # Every entry is whole: its title and its full summary are in the same message.
            assert f"{number}. Story {number}\nSummary {number} " + "x" * 700 in plain
    assert numbers == list(range(1, 21))
    assert all(m.startswith("(continued) · 1 Dec\n\n") for m in messages[1:])
    # Greedy packing: the next entry would not have fitted into the previous message.
    for message, following in itertools.pairwise(messages):
        first_entry = following.split("\n\n", 1)[1].split("\n\n")[0]
        assert visible_len(message) + 2 + visible_len(first_entry) > MESSAGE_LIMIT


def test_render_digest_truncates_an_article_that_alone_is_too_long() -> None:
    giant = make_article(title="T" * 50_000, summary="S " * 50_000)
    messages = digest_texts([giant, giant, make_article()], date_label="d")
    assert [n for m in messages for n in _entry_numbers(m)] == [1, 2, 3]
    for message in messages:
        check_message(message)


# --- properties over arbitrary input -----------------------------------------------------------

_TRICKY = st.sampled_from(
    ["<", ">", "&", '"', "'", "&amp;", "<b>", "</a>", "\x00", "\x1b", "\r", "\n", "\t", " ",
     "🎉", "👍🏽", "e\u0301", "\u200d", "\ud83d", "\udc00", "日本語", "\u202e"]
)  # fmt: skip
_SMALL_TEXT = st.lists(st.one_of(st.text(max_size=30), _TRICKY), max_size=20).map("".join)
_BIG_TEXT = st.builds(lambda s, k: s * k, _SMALL_TEXT, st.integers(1, 4000))
_TEXT = st.one_of(_SMALL_TEXT, _BIG_TEXT)
_URL = st.one_of(
    st.none(),
    _SMALL_TEXT,
    _SMALL_TEXT.map(lambda s: "https://example.com/" + s),
    st.sampled_from(["tg://", "tg://resolve?domain=x", "HTTP://X.EXAMPLE/", "javascript:x"]),
)
_MOMENT = st.datetimes(timezones=st.just(UTC))
_ZONE = st.sampled_from([BERLIN, TOKYO, ZoneInfo("America/Los_Angeles"), ZoneInfo("UTC")])
_ARTICLE = st.builds(
    make_article,
    title=_TEXT,
    summary=_TEXT,
    body=_TEXT,
    author=st.one_of(st.none(), _TEXT),
    url=_URL,
    tags=st.lists(_SMALL_TEXT, max_size=30).map(tuple),
    created_at=_MOMENT,
    published_at=st.one_of(st.none(), _MOMENT),
)
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(article=_ARTICLE, tz=_ZONE, now=st.one_of(st.none(), _MOMENT))
def test_render_article_always_valid(article: Article, tz: ZoneInfo, now: datetime | None) -> None:
    plain = check_message(render_article(article, tz=tz, now=now))
    assert plain.strip()


@_SETTINGS
@given(articles=st.lists(_ARTICLE, max_size=12), label=_TEXT)
def test_render_digest_always_valid_and_complete(articles: list[Article], label: str) -> None:
    messages = digest_texts(articles, date_label=label)
    assert bool(messages) == bool(articles)
    numbers = []
    for index, message in enumerate(messages):
        check_message(message)
        entries = _entry_numbers(message)
        assert entries  # no message without an article
        assert message.startswith("(continued)" if index else "<b>Your daily digest</b>")
        numbers += entries
    assert numbers == list(range(1, len(articles) + 1))
