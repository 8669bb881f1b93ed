"""Article extraction from pages, pasted text and uploaded documents."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from bot.services.ingest.extract import (
    ExtractError,
    article_from_document,
    article_from_text,
    extract_article,
)
from bot.services.text.tags import normalize_tags

PAGES = Path(__file__).parent / "fixtures" / "pages"
BOILERPLATE = (PAGES / "article_boilerplate.html").read_text(encoding="utf-8")
NO_ARTICLE = (PAGES / "no_article.html").read_text(encoding="utf-8")
CP1251_BYTES = (PAGES / "article_cp1251.html").read_bytes()
URL = "https://ledger.example.org/news/2024/05/14/tide-mill-vote"

PARAGRAPH_STARTS = (
    "Residents of Wrenmouth voted by a wide margin",
    "The parish meeting, held in the school hall",
    "Supporters argued that the mill is the last of its kind",
    "Opponents did not dispute the building's value",
    "The engineer advising the trust told the meeting",
    "The trust now has until the autumn",
)
BOILERPLATE_SNIPPETS = (
    "cookies",
    "Subscribe for one pound",
    "Share on Facebook",
    "Related stories",
    "Ferry timetable",
    "saltmarsh_sam",
    "Two million pounds for a museum",
    "Sign up to our free morning newsletter",
    "All rights reserved",
    "Privacy policy",
    "Search the Ledger",
)


def test_boilerplate_page_metadata():
    article = extract_article(BOILERPLATE, URL)
    assert article.title == "Harbour town votes to restore its old tide mill"
    assert article.author == "Mara Lindqvist"
    assert article.published == datetime.date(2024, 5, 14)
    assert article.image_url == "https://ledger.example.org/media/2024/05/tide-mill.jpg"
    assert article.url == URL
    assert "heritage" in article.tags


def test_boilerplate_page_body_is_only_the_article():
    body = extract_article(BOILERPLATE, URL).body
    positions = [body.find(start) for start in PARAGRAPH_STARTS]
    assert all(pos >= 0 for pos in positions), positions
    assert positions == sorted(positions)
    assert body.endswith("opening in 2027.")
    # The headline is kept in .title, not repeated as the body's first line.
    assert not body.startswith("Harbour town votes")
    for snippet in BOILERPLATE_SNIPPETS:
        assert snippet not in body, snippet


def test_extract_without_url_uses_canonical():
    assert extract_article(BOILERPLATE, None).url == URL


def test_no_article_page_raises():
    with pytest.raises(ExtractError, match="No article found"):
        extract_article(NO_ARTICLE, "https://ledger.example.org/login")


def test_empty_html_raises():
    with pytest.raises(ExtractError):
        extract_article("<html><body></body></html>", None)


def test_short_text_is_not_an_article():
    html = "<html><head><title>Brief</title></head><body><p>Just one line.</p></body></html>"
    with pytest.raises(ExtractError):
        extract_article(html, None)


def test_falls_back_to_og_image_and_title_tag():
    paragraphs = "".join(
        f"<p>Paragraph {i} tells the story of the harbour wall and why it matters "
        "to the fishing families who depend on it every single day.</p>"
        for i in range(5)
    )
    html = (
        '<html><head><title>Wall repairs begin</title><meta property="og:image" '
        f'content="https://img.example.org/wall.jpg"></head><body>{paragraphs}</body></html>'
    )
    article = extract_article(html, None)
    assert article.title == "Wall repairs begin"
    assert article.image_url == "https://img.example.org/wall.jpg"
    assert "Paragraph 4 tells the story" in article.body


def test_text_title_body_and_tags():
    text = (
        "\n\n  New bus route opens  \n"
        "The #Transport office opened route 7 today. #1 in demand, says the mayor.\n"
        "tags: City Hall, transport,  Buses\n"
        "See https://example.org/page#section and &#35; for details. #buses #route_7\n"
    )
    article = article_from_text(text)
    assert article.title == "New bus route opens"
    assert article.body.startswith("The #Transport office opened route 7 today.")
    assert "tags:" not in article.body
    assert article.body.endswith("#buses #route_7")
    assert article.tags == ("transport", "city_hall", "buses", "route_7")
    assert article.url is None
    assert article.published is None


def test_text_needs_a_body():
    with pytest.raises(ExtractError):
        article_from_text("   \n\n ")
    with pytest.raises(ExtractError, match="first line"):
        article_from_text("Only a headline")


def test_markdown_document():
    data = b"# Storm closes the coast road\n\nWaves broke over the sea wall at noon.\n\n#storm\n"
    article = article_from_document("story.MD", data)
    assert article.title == "Storm closes the coast road"
    assert article.body.startswith("Waves broke over the sea wall at noon.")
    assert article.tags == ("storm",)


def test_txt_document_keeps_hash_in_title():
    article = article_from_document("note.txt", b"#1 seed wins again\nThe favourite won.\n")
    assert article.title == "#1 seed wins again"
    assert article.tags == ()


def test_txt_document_in_cp1251():
    title = "Новый маршрут автобуса"
    body = "Маршрут номер семь будет ходить чаще по понедельникам."
    article = article_from_document("news.txt", f"{title}\n{body}\n".encode("cp1251"))
    assert (article.title, article.body) == (title, body)


def test_txt_document_with_utf8_bom_and_crlf():
    article = article_from_document("a.txt", "\ufeffTitle line\r\nBody line\r\n".encode())
    assert (article.title, article.body) == ("Title line", "Body line")


def test_html_document_uses_extractor():
    article = article_from_document("page.html", BOILERPLATE.encode("utf-8"))
    assert article.title == "Harbour town votes to restore its old tide mill"
    assert PARAGRAPH_STARTS[0] in article.body


def test_html_document_in_cp1251_without_charset():
    article = article_from_document("statya.htm", CP1251_BYTES)
    assert article.title == CP1251_BYTES.decode("cp1251").split("<title>")[1].split("<")[0]
    assert article.author is not None
    assert article.body.endswith(".")


def test_unsupported_extension():
    with pytest.raises(ExtractError, match=r"\.txt, \.md or \.html"):
        article_from_document("report.pdf", b"%PDF-1.4")


def test_binary_data_is_rejected():
    with pytest.raises(ExtractError):
        article_from_document("image.txt", bytes(range(256)) * 4)


def test_tags_are_stored_as_they_are_shown():
    assert normalize_tags(["#Covid-19", "covid_19", "São Paulo", "  "]) == (
        "covid_19",
        "são_paulo",
    )


def test_normalize_tags():
    assert normalize_tags(["#News", "news", " Local  Politics ", "", "#"]) == (
        "news",
        "local_politics",
    )
