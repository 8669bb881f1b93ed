"""Cleaning a page that an admin copied from a browser, as extraction cleans a fetched one.

A copied page brings its furniture along: navigation before the headline, a byline and a
date under it, share and subscribe buttons, and after the article "You may also like" and
"Leave a Comment" with other articles' headlines. `clean_page` finds the headline (the first
line that is not navigation), takes the byline as the author and a date line as the page's
own date, drops share/subscribe lines, and ends the body where a trailing section begins.
Patterns cover English, Russian and Uzbek (Latin and Cyrillic), the publisher's languages.
"""

# Patterns are written in Cyrillic and with typographic quotes on purpose.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.services.text.entities import MONTHS, fold

_HEAD_LINES = 4  # a byline or date line sits right under the headline

# Lines before the headline: menus, skip links, breadcrumbs ("Home › World").
_NAVIGATION = re.compile(
    r"^(?:menu|home|search|skip to (?:main )?content|advertisement|главная|меню|поиск|реклама|"
    r"bosh sahifa|asosiy|qidiruv|reklama|бош саҳифа)$"
    r"|^(?:home|главная|bosh sahifa|asosiy)\s*[›»>/|]|^[^›]{1,40}(?:\s›\s[^›]{1,40})+$",
    re.IGNORECASE,
)
# A trailing section starts here: nothing after it belongs to the article.
_TRAILING = re.compile(
    r"^(?:you may (?:also )?like|you might (?:also )?like|leave a (?:comment|reply)|"
    r"related (?:articles|posts|stories|news)|more (?:stories|from|news)|read (?:also|next)|"
    r"recommended(?: for you)?|comments?(?: \(\d+\))?|"
    r"вам (?:также )?может понравиться|похожие (?:статьи|новости|материалы)|читайте также|"
    r"оставить комментарий|оставьте комментарий|комментарии|"
    r"sizga (?:ham )?yoqishi mumkin|o['‘’ʻ]xshash (?:maqolalar|yangiliklar)|izoh qoldiring|"
    r"izohlar|шунингдек ўқинг|изоҳ қолдиринг)\s*:?$",
    re.IGNORECASE,
)
# Buttons that sit between paragraphs.
_FURNITURE = re.compile(
    r"^(?:share(?: this(?: article| story)?)?(?: on \w+)?|tweet|pin it|email|print|"
    r"subscribe(?: to .{0,40})?|sign up(?: for .{0,40})?|follow us(?: on .{0,40})?|"
    r"click to share.{0,40}|advertisement|"
    r"поделиться|подписывайтесь.{0,60}|подпишитесь.{0,60}|реклама|"
    r"ulashish|obuna bo['‘’ʻ]ling.{0,60}|reklama|улашиш|обуна бўлинг.{0,60})[.!:]?$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by|written by|posted by|author|автор|текст|muallif|муаллиф)\s*:?\s+"
    r"(?P<name>[^|•·—–\d]{2,80}?)\s*(?:[|•·—–,]\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_DATE_PREFIX = re.compile(
    r"^(?:published|updated|posted(?: on)?|date|опубликовано|обновлено|дата|"
    r"chop etilgan|e['‘’ʻ]lon qilingan|sana)\s*:?\s*",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})|^(\d{1,2})[./](\d{1,2})[./](\d{4})")
_WORDY_DATE = re.compile(
    r"^(?:(?P<d1>\d{1,2})[\s-]+(?P<m1>[^\W\d_]+)\.?,?\s+(?P<y1>\d{4})(?:\s*(?:г|yil)\.?)?"
    r"|(?P<m2>[^\W\d_]+)\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4})"
    r"|(?P<y3>\d{4})-yil,?\s+(?P<d3>\d{1,2})-(?P<m3>[^\W\d_]+))",
    re.IGNORECASE,
)
_TIME_TAIL = re.compile(r"^(?:[,|•·—–-]?\s*(?:at\s+|в\s+)?\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?)?\s*"
                        r"(?:[A-Z]{2,4})?\s*$")  # fmt: skip
# Opening and closing quotes that a headline may carry without their partner.
# The straight single quote is left alone: it is an apostrophe as often ("'90s", "rock 'n'").
_QUOTE_PAIRS = {"“": "”", "«": "»", "„": "“", "‘": "’", '"': '"'}


@dataclass(frozen=True)
class CleanPage:
    """A copied page's headline, body, author and own date."""

    title: str
    body: str
    author: str | None
    published: date | None


def trim_quotes(title: str) -> str:
    """Drop a quote at either end of a headline that has no partner inside it."""
    text = title.strip()
    for opener, closer in _QUOTE_PAIRS.items():
        if opener == closer:
            if text.count(opener) % 2 and text.endswith(opener):
                text = text[:-1].rstrip()
            elif text.count(opener) % 2 and text.startswith(opener):
                text = text[1:].lstrip()
            continue
        if text.endswith(closer) and text.count(closer) > text.count(opener):
            text = text[:-1].rstrip()
        if text.startswith(opener) and text.count(opener) > text.count(closer):
            text = text[1:].lstrip()
    return text


def parse_date(line: str) -> date | None:
    """The date a short line consists of ("Published: 28 November 2022, 10:45"), or None."""
    text = _DATE_PREFIX.sub("", line.strip())
    numeric = _NUMERIC_DATE.match(text)
    if numeric:
        y, m, d = numeric.group(1, 2, 3) if numeric.group(1) else numeric.group(6, 5, 4)
        rest = text[numeric.end() :]
    else:
        wordy = _WORDY_DATE.match(text)
        if not wordy:
            return None
        month = MONTHS.get(fold(wordy["m1"] or wordy["m2"] or wordy["m3"]))
        if month is None:
            return None
        y = wordy["y1"] or wordy["y2"] or wordy["y3"]
        m, d = str(month), wordy["d1"] or wordy["d2"] or wordy["d3"]
        rest = text[wordy.end() :]
    if not _TIME_TAIL.match(rest.strip()):
        return None  # a sentence that starts with a date is not a date line
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _byline(line: str) -> tuple[str | None, date | None] | None:
    """(author, date) from a byline such as "By Jane Roe | 28 Nov 2022", else None."""
    match = _BYLINE.match(line)
    if not match:
        return None
    name = match["name"].strip(" .,")
    words = name.split()
    # A name: one to six words, each capitalised ("By law." is a sentence, not a byline).
    if not 0 < len(words) <= 6 or not all(w[0].isupper() for w in words):
        return None
    rest = match["rest"]
    return name, parse_date(rest) if rest else None


def _head(lines: list[str]) -> tuple[list[str], str | None, date | None]:
    """Take a byline and a date line from just under the headline."""
    author: str | None = None
    published: date | None = None
    kept: list[str] = []
    seen = 0
    for n, line in enumerate(lines):
        if seen >= _HEAD_LINES:
            kept += lines[n:]
            break
        seen += bool(line)
        byline = _byline(line) if author is None and line else None
        day = parse_date(line) if published is None and line else None
        if byline is not None:
            author, published = byline[0], published or byline[1]
        elif day is not None:
            published = day
        else:
            kept.append(line)
    return kept, author, published


def clean_body(lines: list[str]) -> list[str]:
    """Drop share/subscribe lines and everything from a trailing section on."""
    kept: list[str] = []
    for line in lines:
        text = line.strip()
        if _TRAILING.match(text) and any(k.strip() for k in kept):
            break
        if not _FURNITURE.match(text):
            kept.append(line)
    return kept


def clean_page(lines: list[str]) -> CleanPage | None:
    """Headline, body, author and date of copied page lines; None when there is no line."""
    rest = [line.strip() for line in lines]
    while rest and (not rest[0] or _NAVIGATION.match(rest[0]) or _FURNITURE.match(rest[0])):
        rest.pop(0)
    if not rest:
        return None
    title = trim_quotes(rest[0])
    body_lines, author, published = _head(rest[1:])
    body = "\n".join(clean_body(body_lines)).strip()
    return CleanPage(title=title, body=body, author=author, published=published)
