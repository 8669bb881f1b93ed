"""Content similarity of two articles: what they are about, and who, where and when.

An article's signature is one unit-length sublinear tf-idf vector over its content words
(plain keys, as `tokens` folds them) and its names, figures and dates (keys with a kind
prefix such as "n:", see `bot.services.text.entities`), the entities scaled by
ENTITY_WEIGHT before the vector is normalised. Relevance is the cosine of two signatures:
two reports of the same kind of event share words, only two reports of the same event also
share people, places and dates; and since both parts are normalised together, an entity
counts in proportion to how much of the article it is (a headline-only article sharing one
place is not carried away by it). ENTITY_WEIGHT and the relevance FLOOR below which nothing
is suggested were set by `benchmarks/related_quality.py` (see docs/RELATED.md).
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
ENTITY_WEIGHT = 1.0
FLOOR = 0.08

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


def _top(weights: dict[str, float], keep: int) -> dict[str, float]:
    return dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:keep])


def signature(
    counts: Mapping[str, int],
    df: Mapping[str, int],
    size: int,
    entities: Mapping[str, int] | None = None,
    entity_weight: float = ENTITY_WEIGHT,
) -> Signature:
    """The strongest words and entities as one unit-length sublinear tf-idf vector."""

    def weights(items: Mapping[str, int], scale: float) -> dict[str, float]:
        return {t: scale * (1.0 + math.log(c)) * idf(df.get(t, 0), size) for t, c in items.items()}

    sig = _top(weights(counts, 1.0), SIGNATURE_TERMS)
    if entities and entity_weight > 0:
        sig.update(_top(weights(entities, entity_weight), SIGNATURE_ENTITIES))
    norm = math.sqrt(sum(w * w for w in sig.values())) or 1.0
    return {t: w / norm for t, w in sig.items()}


def signature_format(entity_weight: float) -> str:
    """The mark a stored signature starts with: its version and the entity weight it used."""
    return f"v3/{entity_weight:g}"


def encode(sig: Signature, mark: str) -> str:
    """A signature as stored: its format mark, then "key weight" pairs in thousandths."""
    pairs = " ".join(f"{t} {max(1, round(w * 1000))}" for t, w in sig.items())
    return f"{mark} {pairs}"


def decode(stored: str, mark: str) -> Signature | None:
    """A stored signature back as key weights; None when written in another format."""
    parts = stored.split()
    if not parts or parts[0] != mark:
        return None
    return {parts[i]: int(parts[i + 1]) / 1000 for i in range(1, len(parts) - 1, 2)}


def entity_words(key: str) -> list[str]:
    """The indexed words an entity key is made of ("n:maurice_cheeks": maurice, cheeks)."""
    return [w.lstrip("0") or "0" for w in _WORD.findall(key.split(":", 1)[1])]


def cosine(a: Signature, b: Signature) -> float:
    """Dot product of two unit-length signatures."""
    # Shared keys are few: intersecting the key views (in C) beats probing every key.
    return float(sum(a[key] * b[key] for key in a.keys() & b.keys()))
