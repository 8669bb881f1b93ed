"""Turn web pages, pasted text and uploaded documents into articles."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath

import trafilatura
from charset_normalizer import from_bytes
from trafilatura.settings import Document

from bot.i18n import _
from bot.services.ingest import problems
from bot.services.ingest.charset import decode_body
from bot.services.ingest.pasted import clean_body, clean_page, trim_quotes
from bot.services.ingest.problems import describe
from bot.services.text.tags import normalize_tags
from storage.models import PageProblem

MIN_ARTICLE_CHARS = 200
_TEXT_EXTENSIONS = frozenset({".txt", ".md", ".markdown"})
_HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
# A hashtag must contain a letter ("#1" is a rank, not a tag) and must not follow a word
# character, "/", "&" or "#" (URL fragments, HTML entities, "##" headings).
_HASHTAG = re.compile(r"(?<![\w/&#])#(\w*[^\W\d_]\w*)")
_TAGS_LINE = re.compile(r"^\s*tags\s*:(.*)$", re.IGNORECASE)
_MD_HEADING = re.compile(r"^#{1,6}\s+")


class ExtractError(Exception):
    """No article could be made; str() is a short explanation for the user. `problem` says
    why as data when the source was a web page (pasted text and documents have none)."""

    def __init__(self, message: str, problem: PageProblem | None = None) -> None:
        super().__init__(message)
        self.problem = problem

    @classmethod
    def of_page(cls, reason: str) -> ExtractError:
        """The error for a web page that holds no usable article, worded by its reason."""
        problem = PageProblem(reason)
        return cls(describe(problem), problem)


@dataclass(frozen=True)
class ExtractedArticle:
    """An article ready for publishing."""

    url: str | None
    title: str
    body: str
    author: str | None
    published: datetime.date | None
    image_url: str | None
    tags: tuple[str, ...]


def extract_article(html: str, url: str | None) -> ExtractedArticle:
    """Extract the main article of a web page (CPU-bound: call it via asyncio.to_thread)."""
    # favor_precision gave the same text on well-formed news pages and drops more of the
    # link lists and forms that make up pages without an article.
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
    )
    if not isinstance(doc, Document) or not doc.text:
        raise ExtractError.of_page(problems.NO_ARTICLE)
    title, image = _clean(doc.title), _clean(doc.image)
    if not (title and image):
        meta = _scan_meta(html)
        title, image = title or meta.og_title or meta.title, image or meta.og_image
    title = trim_quotes(title)
    body = "\n".join(clean_body(_drop_leading_title(str(doc.text), title).split("\n"))).strip()
    if len(body) < MIN_ARTICLE_CHARS:
        raise ExtractError.of_page(problems.NO_ARTICLE)
    if not title:
        raise ExtractError.of_page(problems.NO_TITLE)
    tags = normalize_tags([*(doc.tags or []), *(doc.categories or [])])
    return ExtractedArticle(
        url=url or _clean(doc.url) or None,
        title=title,
        body=body,
        author=_clean(doc.author) or None,
        published=_parse_date(doc.date),
        image_url=image or None,
        tags=tags,
    )


def article_from_text(text: str, *, markdown: bool = False) -> ExtractedArticle:
    """Make an article from text or a copied page: the headline, then the body.

    Navigation before the headline, a byline and a date line under it, share/subscribe
    lines and trailing sections ("You may also like") are cleaned as `clean_page` says."""
    lines, tags = _split_tags(text.replace("\r\n", "\n").split("\n"))
    page = clean_page(lines)
    if page is None:
        raise ExtractError(_("The text is empty."))
    title = trim_quotes(_MD_HEADING.sub("", page.title)) if markdown else page.title
    if not page.body:
        raise ExtractError(_("Put the headline on the first line and the article text below it."))
    return ExtractedArticle(
        url=None,
        title=title,
        body=page.body,
        author=page.author,
        published=page.published,
        image_url=None,
        tags=tags,
    )


def article_from_document(filename: str, data: bytes) -> ExtractedArticle:
    """Make an article from an uploaded .txt, .md or .html file."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in _HTML_EXTENSIONS:
        return extract_article(decode_body(data), None)
    if suffix not in _TEXT_EXTENSIONS:
        raise ExtractError(_("Unsupported file type: send a .txt, .md or .html file."))
    return article_from_text(_decode_text(data), markdown=suffix != ".txt")


def _split_tags(lines: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Remove 'tags: a, b' lines and collect those tags and #hashtags in reading order."""
    kept: list[str] = []
    found: list[str] = []
    for line in lines:
        match = _TAGS_LINE.match(line)
        if match:
            found.extend(match.group(1).split(","))
            continue
        kept.append(line)
        found.extend(_HASHTAG.findall(line))
    return kept, normalize_tags(found)


def _decode_text(data: bytes) -> str:
    """Decode an uploaded text file: UTF-8 first, then charset detection."""
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError(_("The file is not a text file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ExtractError(
            _("The file's text encoding could not be recognised; save it as UTF-8.")
        )
    return str(best)


def _drop_leading_title(text: str, title: str) -> str:
    """trafilatura keeps the <h1> as the first line; the title is stored separately."""
    lines = text.strip().split("\n")
    if lines and title and trim_quotes(lines[0]).casefold() == trim_quotes(title).casefold():
        lines = lines[1:]
    return "\n".join(lines).strip()


def _parse_date(value: str | None) -> datetime.date | None:
    """Parse trafilatura's YYYY-MM-DD date."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _clean(value: str | None) -> str:
    return " ".join(value.split()) if value else ""


@dataclass(frozen=True)
class _PageMeta:
    title: str
    og_title: str
    og_image: str


class _MetaScanner(HTMLParser):
    """Collect <title>, og:title and og:image, as a fallback for trafilatura's metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.og: dict[str, str] = {}
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "title":
            self._in_title = True
        elif tag == "meta" and values.get("property", "").startswith("og:"):
            self.og.setdefault(values["property"], _clean(values.get("content")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.title:
            self.title = _clean(data)


def _scan_meta(html: str) -> _PageMeta:
    """Read fallback metadata from the document head."""
    scanner = _MetaScanner()
    # The head is near the top; scanning the whole page would only cost time.
    scanner.feed(html[:100_000])
    scanner.close()
    return _PageMeta(scanner.title, scanner.og.get("og:title", ""), scanner.og.get("og:image", ""))
