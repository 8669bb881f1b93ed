"""RSS/Atom parsing into FeedEntry values."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services.feeds.parse import FeedError, html_to_text, parse_feed

FIXTURES = Path(__file__).parent / "fixtures"
RSS = (FIXTURES / "feeds" / "rss.xml").read_bytes()
ATOM = (FIXTURES / "feeds" / "atom.xml").read_bytes()


def test_rss_feed():
    feed = parse_feed(RSS, "https://ledger.example.org/feeds/local.xml")
    assert feed.title == "The Coastal Ledger: Local news"
    assert [entry.key for entry in feed.entries] == [
        "ledger-2024-0514-001",
        "https://ledger.example.org/news/2024/05/13/ferry-timetable",
        # No <guid>: the link is the key.
        "https://ledger.example.org/news/2024/05/12/lighthouse-paint",
    ]
    first, second, third = feed.entries
    assert first.title == "Harbour town votes to restore its old tide mill"
    assert first.link == "https://ledger.example.org/news/2024/05/14/tide-mill-vote"
    assert first.summary == (
        "Residents approved a plan to bring the 1820s mill back into working order."
    )
    assert first.published == datetime(2024, 5, 14, 8, 30, tzinfo=UTC)
    assert first.tags == ("heritage", "wrenmouth")
    # +0200 in the feed becomes UTC.
    assert second.published == datetime(2024, 5, 13, 15, 5, tzinfo=UTC)
    assert second.summary == "Extra sailings on weekends & bank holidays."
    assert third.summary == "A team of twelve finished the job in three days."
    assert third.tags == ()


def test_atom_feed():
    feed = parse_feed(ATOM, "https://notes.example.net/atom.xml")
    assert feed.title == "Harbour Notes"
    assert [entry.key for entry in feed.entries] == [
        "urn:uuid:0a6f3d2e-8b7c-4e51-a1f2-3c4d5e6f7a81",
        "tag:notes.example.net,2024:beach-rota",
        "https://notes.example.net/2024/05/storm-warning",
    ]
    fish, rota, storm = feed.entries
    assert fish.published == datetime(2024, 5, 14, 6, 15, tzinfo=UTC)
    assert fish.summary == "New stalls and a cold room for the morning auction."
    assert fish.tags == ("business", "harbour")
    # Without <published> the <updated> date is used.
    assert rota.published == datetime(2024, 5, 13, 12, 0, tzinfo=UTC)
    # The only text is in <content type="xhtml">.
    assert storm.summary == "Gusts of up to 70 mph are expected."
    for entry in feed.entries:
        assert entry.published is not None
        assert entry.published.utcoffset() is not None


def test_entry_without_guid_or_link_is_keyed_by_title_hash():
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Only a title</title><description>Text.</description></item>"
        b"<item><description>&lt;p&gt;No title at all.&lt;/p&gt;&lt;p&gt;Second.&lt;/p&gt;"
        b"</description></item>"
        b"</channel></rss>"
    )
    first, second = parse_feed(data, "https://example.org/rss").entries
    assert first.link is None
    assert first.published is None
    assert first.key == "sha256:" + hashlib.sha256(b"Only a title").hexdigest()
    assert second.title == "No title at all."
    assert second.summary == "No title at all.\nSecond."
    assert second.key != first.key


def test_relative_links_are_resolved():
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>A</title><link>/news/a</link></item></channel></rss>"
    )
    (entry,) = parse_feed(data, "https://example.org/feeds/rss.xml").entries
    assert entry.link == "https://example.org/news/a"
    assert entry.key == "https://example.org/news/a"


def test_feed_without_title_falls_back_to_url():
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><item><guid>g1</guid></item>'
    data += b"</channel></rss>"
    feed = parse_feed(data, "https://example.org/rss")
    assert feed.title == "https://example.org/rss"
    assert [entry.key for entry in feed.entries] == ["g1"]


@pytest.mark.parametrize(
    "data",
    [
        (FIXTURES / "pages" / "no_article.html").read_bytes(),
        b"",
        b"just some text",
        b'{"json": true}',
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
)
def test_non_feed_raises(data: bytes):
    with pytest.raises(FeedError, match="RSS or Atom"):
        parse_feed(data, "https://example.org/page")


def test_empty_but_valid_feed_is_accepted():
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title>'
    data += b"</channel></rss>"
    feed = parse_feed(data, "https://example.org/rss")
    assert (feed.title, feed.entries) == ("Quiet", ())


def test_html_to_text():
    markup = "<div><p>One &amp; two</p><script>var x=1;</script><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(markup) == "One & two\na\nb"
