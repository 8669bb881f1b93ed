"""Who, where and when of an article: the features that tell one story from its siblings.

Two reports of the same event share its people, places, figures and dates; two reports of
the same *kind* of event (another earthquake, another murder trial) share only vocabulary.
`entity_features` finds, without any language model:

- names: runs of capitalised words ("Maurice Cheeks", "New Zealand"), each word and the
  whole run; a lone capitalised word that opens a sentence counts only when the article
  also capitalises it mid-sentence (so "Hundreds" or "Police" at a sentence start do not);
- figures: numbers with their unit or noun ("6.1 magnitude", "48.5 million", "88-72");
- dates: years ("2008"), day and month ("29 September", "Sept. 29"), and the article's own
  publication date when it is known.

Features are lower-cased and accent-folded like `related.tokens`, and prefixed by kind
("n:" name, "f:" figure, "d:" date) so that they never collide with plain words.
"""

# Month names cover Russian and Uzbek on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date


def _words(text: str) -> frozenset[str]:
    """A frozen set of the whitespace-separated words of ``text``."""
    return frozenset(text.split())


_TOKEN = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+|,\d+)*|[.!?;:,\"“”«»()\[\]\n]")
_COMMA = ","
_BREAKS = frozenset('.!?;:"“”«»()[]\n')
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*(?:-\d+(?:[.,]\d+)*)?$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
MONTHS = {
    name: n
    for n, names in enumerate(
        (
            "january jan янв январь января yanvar",
            "february feb фев февраль февраля fevral",
            "march mar мар март марта mart",
            "april apr апр апрель апреля aprel",
            "may май мая may",
            "june jun июнь июня iyun",
            "july jul июль июля iyul",
            "august aug авг август августа avgust",
            "september sep sept сен сентябрь сентября sentabr sentyabr",
            "october oct окт октябрь октября oktabr oktyabr",
            "november nov ноя ноябрь ноября noyabr",
            "december dec дек декабрь декабря dekabr",
        ),
        start=1,
    )
    for name in names.split()
}
_WEEKDAYS = _words(
    """monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
    понедельник вторник среда четверг пятница суббота воскресенье"""
)
# Capitalised only because they open a sentence or a title: never names by themselves.
_FUNCTION = _words(
    """a an the this that these those he she it they we you i his her its their our my your
    in on at of for to from by with as and or but if when while after before since until
    there here what who why how where which mr mrs ms dr no not yes so then also
    в на и но а по из за от до о об к с у это он она они мы его её их"""
)
# Lower-case words inside names: "Viña del Mar", "Ludwig van Beethoven", "Bank of England".
_PARTICLES = _words("de del della der di da do dos du la le van von bin al of")
_POSSESSIVE = re.compile(r"['’]s$")
# Nouns that may follow a number without being its unit ("in 2008 the ...").
_NOT_UNITS = _FUNCTION | _words("and or but was were is are has have had")


def fold(word: str) -> str:
    """Lower-case and drop accents, as the full-text index folds words."""
    lowered = word.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_capitalised(token: str) -> bool:
    return token[0].isupper() and len(token) > 1


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Words with a flag telling whether each opens a sentence (punctuation dropped)."""
    out: list[tuple[str, bool]] = []
    opening = True
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == _COMMA:
            out.append(("", False))  # a comma ends a name ("Cheeks, DiLeo"), not a sentence
            continue
        if token in _BREAKS:
            opening = True
            continue
        out.append((token, opening))
        opening = False
    return out


def _runs(words: list[tuple[str, bool]]) -> list[tuple[list[str], bool]]:
    """Maximal runs of capitalised words, each with whether it opens a sentence.

    A lower-case particle between two capitalised words stays in the run ("Viña del Mar").
    """
    runs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    opens = False
    padded = [*words, ("", True), ("", True)]
    for n, (token, opening) in enumerate(padded[:-1]):
        capitalised = bool(token) and _is_capitalised(token)
        nxt, nxt_opening = padded[n + 1]
        particle = token in _PARTICLES and bool(nxt) and _is_capitalised(nxt) and not nxt_opening
        if current and not opening and (capitalised or particle):
            current.append(token)
            continue
        if current:
            runs.append((current, opens))
        current, opens = ([token], opening) if capitalised else ([], False)
    return runs


def _title_case(words: list[tuple[str, bool]]) -> bool:
    """Whether a title capitalises most of its words, so capitals say nothing there."""
    alpha = [w for w, _ in words if w[:1].isalpha() and fold(w) not in _FUNCTION]
    return len(alpha) >= 3 and sum(w[0].isupper() for w in alpha) > 0.6 * len(alpha)


def _add_names(
    runs: list[tuple[list[str], bool]], confirmed: set[str], strict: bool, out: Counter[str]
) -> None:
    for run, opens in runs:
        folded = [_POSSESSIVE.sub("", fold(w)) for w in run]
        while folded and (folded[0] in _FUNCTION or folded[0] in _WEEKDAYS):
            folded = folded[1:]  # "The", "On Saturday" open a run without being a name
        if len(folded) == 1 and (folded[0] in MONTHS or folded[0] in _WEEKDAYS):
            continue  # dates are counted as dates
        if strict:
            folded = [w for w in folded if w in confirmed]
        elif opens and len(folded) == len(run) and folded and folded[0] not in confirmed:
            # "Hundreds", "Yesterday": capitalised only as the sentence's first word.
            folded = folded[1:]
        # Each word and each pair of neighbours: "President Gabriel Boric" and "Gabriel
        # Boric" then share "boric" and "gabriel_boric".
        for word in folded:
            if len(word) > 1 and word not in _FUNCTION and word not in _PARTICLES:
                out[f"n:{word}"] += 1
        if len(folded) > 1:
            out["n:" + "_".join(folded)] += 1


def _names(title: str, body: str, out: Counter[str]) -> None:
    body_runs = _runs(_tokens(body))
    title_words = _tokens(title)
    title_runs = _runs(title_words)
    strict = _title_case(title_words)
    sources = body_runs if strict else body_runs + title_runs
    confirmed = {fold(w) for run, opens in sources for w in run[1 if opens else 0 :]}
    _add_names(body_runs, confirmed, False, out)
    _add_names(title_runs, confirmed, strict, out)


def _figures_and_dates(words: list[tuple[str, bool]], features: Counter[str]) -> None:
    folded = [fold(w) for w, _ in words]
    for i, word in enumerate(folded):
        if not _NUMBER.match(word):
            continue
        before = folded[i - 1] if i else ""
        after = folded[i + 1] if i + 1 < len(folded) else ""
        if _YEAR.match(word):
            features[f"d:{word}"] += 1
            continue
        month = MONTHS.get(after.rstrip(".")) or MONTHS.get(before.rstrip("."))
        if month and word.isdigit() and 1 <= int(word) <= 31:
            features[f"d:{month:02d}-{int(word):02d}"] += 1
            continue
        number = word.replace(",", "")
        if "-" in number or "." in number:
            features[f"f:{number}"] += 1  # a score, a range or a measure: "88-72", "6.1"
        elif after.isalpha() and after not in _NOT_UNITS:
            features[f"f:{number}_{after}"] += 1


def entity_features(title: str, body: str, published: date | None = None) -> Counter[str]:
    """Names, figures and dates of an article, with how often each occurs."""
    features: Counter[str] = Counter()
    _names(title, body, features)
    for text in (title, body):
        _figures_and_dates(_tokens(text), features)
    if published is not None:
        features[f"d:{published.year}"] += 1
        features[f"d:{published.month:02d}-{published.day:02d}"] += 1
    return features
