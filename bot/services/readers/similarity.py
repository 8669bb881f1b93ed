"""Content similarity of two articles: what they are about, and who, where and when.

An article's signature holds two unit-length sublinear tf-idf vectors in one mapping: its
content words (plain keys, as `tokens` folds them) and its names, figures and dates (keys
with a kind prefix such as "n:", see `bot.services.text.entities`). Relevance is the cosine
of the words plus ENTITY_WEIGHT times the cosine of the entities: two reports of the same
kind of event share words, only two reports of the same event also share people, places
and dates. ENTITY_WEIGHT and the relevance FLOOR below which nothing is suggested were set
by `benchmarks/related_quality.py` (tuned on one half of the ECB+ topics, checked on the
other; see docs/RELATED.md).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

SIGNATURE_TERMS = 128
# The headline says what the story is about, as the full-text search's title weight does too.
TITLE_REPEAT = 2
SIGNATURE_ENTITIES = 64
ENTITY_WEIGHT = 0.25
FLOOR = 0.17

_WORD = re.compile(r"[^\W_]+")
# Common English function words; they say nothing about what an article is about.
_STOP_TEXT = """a about above after again against all almost also although always am among an and
    another any are around as at be became because become been before being below between
    both but by can cannot could did do does doing done down during each either else enough
    etc even ever every few for from further had has have having he her here hers herself him
    himself his how however i if in into is it its itself just least less like made many may
    me might more most much must my myself neither no nor not now of off often on once one
    only or other others our ours ourselves out over own per perhaps please quite rather
    really said same says she should since so some still such than that the their theirs
    them themselves then there these they this those though through thus to too toward
    under until up upon us very was we well were what whatever when where whether which while
    who whom whose why will with within without would yet you your yours yourself yourselves
    s t"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

Signature = dict[str, float]
# Stored signatures start with it; one without it was signed before entities were and is
# signed again when next needed.
SIGNATURE_FORMAT = "v2"


@dataclass(frozen=True)
class Ranking:
    """How relevance is scored: the entities' weight and the floor below which none is shown."""

    entity_weight: float = ENTITY_WEIGHT
    floor: float = FLOOR


def tokens(text: str) -> list[str]:
    """Content words of a text, as the FTS5 unicode61 tokenizer splits and folds them."""
    lowered = text.lower()
    if not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [w for w in _WORD.findall(lowered) if len(w) > 1 and w not in STOP_WORDS]


def term_counts(title: str, body: str) -> Counter[str]:
    """How often each content word occurs, a headline word counting TITLE_REPEAT times."""
    counts = Counter(tokens(body))
    counts.update(tokens(title) * TITLE_REPEAT)
    return counts


def is_entity(key: str) -> bool:
    """Whether a signature key is a name, figure or date rather than a word."""
    return ":" in key


def idf(df: int, size: int) -> float:
    """Smoothed inverse document frequency."""
    return math.log((size + 1) / (df + 1)) + 1.0


def _unit_top(weights: dict[str, float], keep: int) -> Signature:
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
    return {t: w / norm for t, w in top}


def signature(
    counts: Mapping[str, int],
    df: Mapping[str, int],
    size: int,
    entities: Mapping[str, int] | None = None,
) -> Signature:
    """The strongest words and entities, each part a unit-length sublinear tf-idf vector."""

    def weights(items: Mapping[str, int]) -> dict[str, float]:
        return {t: (1.0 + math.log(c)) * idf(df.get(t, 0), size) for t, c in items.items()}

    sig = _unit_top(weights(counts), SIGNATURE_TERMS)
    if entities:
        sig.update(_unit_top(weights(entities), SIGNATURE_ENTITIES))
    return sig


def encode(sig: Signature) -> str:
    """A signature as stored: the format mark, then "key weight" pairs in thousandths."""
    pairs = " ".join(f"{t} {max(1, round(w * 1000))}" for t, w in sig.items())
    return f"{SIGNATURE_FORMAT} {pairs}"


def decode(stored: str) -> Signature | None:
    """A stored signature back as key weights; None when an older version wrote it."""
    parts = stored.split()
    if not parts or parts[0] != SIGNATURE_FORMAT:
        return None
    return {parts[i]: int(parts[i + 1]) / 1000 for i in range(1, len(parts) - 1, 2)}


def entity_words(key: str) -> list[str]:
    """The indexed words an entity key is made of ("n:maurice_cheeks": maurice, cheeks)."""
    return [w.lstrip("0") or "0" for w in _WORD.findall(key.split(":", 1)[1])]


def cosines(a: Signature, b: Signature) -> tuple[float, float]:
    """Cosine of the words and cosine of the entities of two signatures."""
    words = entities = 0.0
    # Shared keys are few: intersecting the key views (in C) beats probing every key.
    for key in a.keys() & b.keys():
        if ":" in key:  # an entity (is_entity, inlined: this runs for every candidate)
            entities += a[key] * b[key]
        else:
            words += a[key] * b[key]
    return words, entities


def cosine(a: Signature, b: Signature) -> float:
    """Cosine of the content words of two signatures."""
    return cosines(a, b)[0]


def relevance(a: Signature, b: Signature, entity_weight: float) -> float:
    """Word cosine plus entity_weight times entity cosine."""
    words, entities = cosines(a, b)
    return words + entity_weight * entities


def normalised_title(title: str) -> str:
    """A title reduced to lower-case words, for spotting the same story twice."""
    return " ".join(_WORD.findall(title.lower()))
