"""render_caption: photo-card captions always parse and fit Telegram's 1,024-unit limit, and
the summary is shortened at a sentence boundary, never inside an entity."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings

from bot.services.text.formatting import (
    CAPTION_LIMIT,
    render_caption,
    safe_image_url,
    shorten_at_sentence,
    telegram_len,
    visible_len,
)
from storage.models import Article
from tests.fakes.telegram_html import parse_telegram_html
from tests.test_services_render import _ARTICLE, _MOMENT, _ZONE, make_article

UTC_ZONE = ZoneInfo("UTC")


def check_caption(html_text: str) -> str:
    """Assert valid Telegram HTML within the caption limit; return the plain text."""
    plain, _ = parse_telegram_html(html_text)
    assert telegram_len(plain) <= CAPTION_LIMIT
    assert visible_len(html_text) == telegram_len(plain)
    return plain


def test_short_article_caption_is_whole() -> None:
    plain = check_caption(render_caption(make_article(), tz=UTC_ZONE))
    assert plain.splitlines()[0] == "Council approves new bridge"
    assert "The council approved the bridge." in plain
    assert "Read the full article" in plain


def test_long_summary_stops_after_the_last_whole_sentence() -> None:
    summary = " ".join(f"Sentence number {i} says <something> & more." for i in range(60))
    caption = render_caption(make_article(summary=summary), tz=UTC_ZONE)
    plain = check_caption(caption)
    body = plain.split("\n\n")[1]
    assert body.endswith("& more.") and body.startswith("Sentence number 0")
    assert "…" not in body
    assert "&lt;something&gt; &amp; more." in caption


def test_one_endless_sentence_is_cut_at_a_word_with_an_ellipsis() -> None:
    plain = check_caption(render_caption(make_article(summary="word " * 600), tz=UTC_ZONE))
    assert plain.split("\n\n")[1].endswith("word…")


def test_shorten_at_sentence_table() -> None:
    assert shorten_at_sentence("One. Two. Three.", 100) == "One. Two. Three."
    assert shorten_at_sentence("One here. Two here. Three.", 19) == "One here. Two here."
    assert shorten_at_sentence("Unbroken long sentence here", 10) == "Unbroken…"


def test_only_http_images_are_used() -> None:
    assert safe_image_url(make_article(image_url="https://x.example/a.jpg"))
    for bad in (None, "", "javascript:alert(1)", "tg://x", "https://", "https://a b"):
        assert safe_image_url(make_article(image_url=bad)) is None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article=_ARTICLE, tz=_ZONE, now=_MOMENT)
def test_caption_always_valid(article: Article, tz: ZoneInfo, now: datetime) -> None:
    check_caption(render_caption(article, tz=tz, now=now))
