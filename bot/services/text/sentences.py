"""Language-agnostic, rule-based sentence splitter.

A boundary is terminal punctuation (``. ! ? …`` and their CJK, Arabic and Devanagari forms),
optionally followed by closing quotes or brackets, then whitespace, then something that can
start a sentence: anything that is not a lowercase letter.  Cased scripts (Latin, Cyrillic)
therefore need a capital, digit or opening quote; caseless scripts (Hebrew, Arabic, CJK) split
on punctuation alone.  A full stop does not end a sentence after a known abbreviation, a single
capital initial or a dotted acronym ("U.S.").  A dot with no whitespace after it (decimals,
URLs, e-mail addresses, "e.g.x") never splits.  A paragraph break (blank line) always ends a
sentence, punctuated or not; a single line break does too unless the next line starts in
lowercase (a hard-wrapped paragraph) and the line before is not a title-case heading.
"""

# The rules are about non-Latin scripts and typography, so "confusable" characters are meant.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    """A frozen set of the whitespace-separated words of ``text``."""
    return frozenset(text.split())


# Abbreviations after which a full stop does not end the sentence (compared lowercased,
# without the final dot).  Titles and the like are followed by a name, hence a capital.
_ABBREVIATIONS = (
    # English titles, ranks, common short forms and months (followed by a day or a year).
    _words(
        """mr mrs ms dr prof st sr jr sen rep gov gen lt col sgt capt cpl maj adm cmdr rev
        hon pres mt ft messrs mme mlle vs v approx dept co no nos vol fig ch art pp ed
        jan feb mar apr jun jul aug sep sept oct nov dec"""
    )
    # Russian and Uzbek Cyrillic: city/year, "named after", street, professor, thousand...
    | _words(
        """г гг им ул пр просп пер обл р д кв стр св проф акад доц ген тов гр см ср напр
        тыс млн млрд руб коп ст п гл рис табл илл в вв й"""
    )
    # Uzbek Latin: "yil" (year), "ko'cha" (street), "raqam" (number).
    | _words("y yy koʻch ko'ch raq")
)
# "No. 5" is a number, but "No. They left." is an answer that ends a sentence.
_NUMBER_ABBREVIATIONS = _words("no nos art ch")
# Dotted abbreviations that usually close a sentence ("и т.д.", "etc.") may split.
_SENTENCE_FINAL_ABBREVIATIONS = _words("etc т.д т.п и.т.д и.т.п va.h.k h.k")

_TERMINAL = r"[.!?…؟।]+|[。！？]+"
_CLOSERS = "\"'”’»›)]}」』"
_OPENERS = "\"'“‘„«‹([{「『¿¡—–-•*"
_BOUNDARY = re.compile(rf"(?P<punct>{_TERMINAL})(?P<close>[{re.escape(_CLOSERS)}]*)(?P<gap>\s+)")
_CJK_BOUNDARY = re.compile(rf"[。！？]+[{re.escape(_CLOSERS)}]*(?=\S)")
_PARAGRAPHS = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_WHITESPACE = re.compile(r"\s+")
_ENDS_SENTENCE = re.compile(rf"(?:{_TERMINAL})[{re.escape(_CLOSERS)}]*$")
_DOTTED = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")


def _starts_sentence(text: str, pos: int) -> bool:
    """Whether the text from ``pos`` looks like the start of a new sentence."""
    length = len(text)
    while pos < length and (text[pos] in _OPENERS or text[pos].isspace()):
        pos += 1
    # Only a lowercase letter marks a continuation; caseless scripts never look lowercase.
    return pos < length and not text[pos].islower()


def _last_token(text: str, end: int) -> str:
    """The run of non-space characters ending at ``end``, without leading openers."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip(_OPENERS)


def _is_abbreviation(token: str, next_char: str) -> bool:
    """Whether a full stop after ``token`` belongs to an abbreviation, not a sentence end."""
    lowered = token.lower()
    if lowered in _SENTENCE_FINAL_ABBREVIATIONS:
        return False
    if lowered in _ABBREVIATIONS:
        return lowered not in _NUMBER_ABBREVIATIONS or next_char.isdigit()
    if _DOTTED.match(token):
        return True  # "U.S.", "e.g.", "т.е." and the like.
    # A lone capital (or caseless) letter is an initial: "J. K. Rowling", "א. ב. יהושע".
    return len(token) == 1 and token.isalpha() and not token.islower()


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    """Decide whether a punctuation match really ends a sentence."""
    after = match.end()
    if not _starts_sentence(text, after):
        return False
    punct = match.group("punct")
    if punct != "." or match.group("close"):
        return True
    token = _last_token(text, match.start())
    if not token:
        return True  # A lone dot, as in "By . Reporter ." bylines.
    return not _is_abbreviation(token, text[after : after + 1])


def _split_line(line: str) -> list[str]:
    """Split one logical line of a paragraph into sentences."""
    pieces: list[str] = []
    start = 0
    cuts = [m.end("close") for m in _BOUNDARY.finditer(line) if _is_boundary(line, m)]
    cuts += [m.end() for m in _CJK_BOUNDARY.finditer(line)]
    for cut in sorted(cuts):
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return [_WHITESPACE.sub(" ", p).strip() for p in pieces if p.strip()]


def _headline_like(line: str) -> bool:
    """A line in title case without terminal punctuation: a heading, never a wrapped line."""
    if _ENDS_SENTENCE.search(line):
        return False
    words = [w for w in line.split() if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 2 and all(w[0].isupper() for w in words)


def _paragraph_lines(paragraph: str) -> list[str]:
    """Join hard-wrapped lines: a line starting in lowercase continues the previous one,
    unless that one is a heading."""
    lines: list[str] = []
    for raw in paragraph.splitlines():
        line = raw.strip()
        if not line:
            continue
        if lines and line[0].islower() and not _headline_like(lines[-1]):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, with whitespace inside each sentence collapsed."""
    sentences: list[str] = []
    for paragraph in _PARAGRAPHS.split(text):
        for line in _paragraph_lines(paragraph):
            sentences.extend(_split_line(line))
    return sentences
