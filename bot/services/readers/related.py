"""Related articles: content similarity over the archive, computed at publish time and stored.

How a list is computed (`RelatedService.refresh`):
1. The article's terms (title and body, lower-cased, accents dropped, English stop words
   removed) get sublinear tf-idf weights with document frequencies from the FTS5 vocabulary;
   the strongest SIGNATURE_TERMS of the unit-length vector are stored as its signature.
2. Its QUERY_TERMS most distinctive terms, skipping very common ones, form an FTS5 OR query
   ranked by bm25() with the title weighted TITLE_WEIGHT: the CANDIDATES best are kept.
3. Candidates are re-ranked by the cosine of the signatures, near-duplicates of the article
   (same normalised title, or cosine >= NEAR_DUPLICATE) and of each other are dropped, and a
   small recency bonus (at most RECENCY_BONUS, halving every RECENCY_HALF_LIFE_DAYS) decides
   between close scores.

Refresh policy: publishing or editing an article (the `article_changed` hook) recomputes its
list and invalidates the lists of its new neighbours, which most likely gain it. Any other
list is recomputed lazily when it is looked up and is missing, older than STALE_AFTER, or was
computed when the archive was more than STALE_GROWTH smaller. Imports call
`refresh_missing()` (or `refresh_all()` to recompute everything), which signs every new
article in one pass over the vocabulary before computing lists.
"""

from __future__ import annotations

import logging
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from bot.clock import Clock
from storage.models import Article
from storage.related import SUGGESTABLE, ArticleText, RelatedArticle, RelatedRepository

log = logging.getLogger(__name__)

SHOWN = 3
STORED = 10
SIGNATURE_TERMS = 128
QUERY_TERMS = 20
CANDIDATES = 30
TITLE_WEIGHT = 2.0
COMMON_SHARE = 0.05  # terms in more than 5% of a large archive are too common to search for
NEAR_DUPLICATE = 0.9
RECENCY_BONUS = 0.05
RECENCY_HALF_LIFE_DAYS = 30.0
STALE_AFTER = timedelta(days=7)
STALE_GROWTH = 0.10
SIZE_CACHE_SECONDS = 30.0
DF_CACHE_LIMIT = 200_000
BULK_BATCH = 500

_WORD = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")
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


def tokens(text: str) -> list[str]:
    """Content words of a text, as the FTS5 unicode61 tokenizer splits and folds them."""
    lowered = text.lower()
    if not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [w for w in _WORD.findall(lowered) if len(w) > 1 and w not in STOP_WORDS]


def term_counts(title: str, body: str) -> Counter[str]:
    """How often each content word occurs in title and body."""
    counts = Counter(tokens(body))
    counts.update(tokens(title))
    return counts


def idf(df: int, size: int) -> float:
    """Smoothed inverse document frequency."""
    return math.log((size + 1) / (df + 1)) + 1.0


def signature(counts: Mapping[str, int], df: Mapping[str, int], size: int) -> Signature:
    """The strongest SIGNATURE_TERMS of the unit-length sublinear tf-idf vector."""
    weights = {t: (1.0 + math.log(c)) * idf(df.get(t, 0), size) for t, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:SIGNATURE_TERMS]
    return {t: w / norm for t, w in top}


def encode(sig: Signature) -> str:
    """A signature as stored: "term weight" pairs, weights in thousandths."""
    return " ".join(f"{t} {max(1, round(w * 1000))}" for t, w in sig.items())


def decode(stored: str) -> Signature:
    """A stored signature back as term weights."""
    parts = stored.split()
    return {parts[i]: int(parts[i + 1]) / 1000 for i in range(0, len(parts) - 1, 2)}


def cosine(a: Signature, b: Signature) -> float:
    """Dot product of two unit-length signatures."""
    if len(a) > len(b):
        a, b = b, a
    return float(sum(w * b.get(t, 0.0) for t, w in a.items()))


def normalised_title(title: str) -> str:
    """A title reduced to lower-case words, for spotting the same story twice."""
    return " ".join(_WORD.findall(title.lower()))


def recency_factor(moment: datetime, now: datetime) -> float:
    """1 + a bonus that halves every RECENCY_HALF_LIFE_DAYS of age."""
    age_days = max(0.0, (now - moment).total_seconds() / 86400)
    return 1.0 + RECENCY_BONUS * math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)


class RelatedService:
    """Computes, stores and serves each article's related articles."""

    def __init__(self, repo: RelatedRepository, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock
        self._df: dict[str, int] = {}
        self._df_size = 0
        self._bulk = False  # while signing an import, the whole vocabulary is held
        self._size = (0, -math.inf)  # (archive size, monotonic time read)

    async def archive_size(self) -> int:
        """The number of articles, re-read at most every SIZE_CACHE_SECONDS."""
        size, read_at = self._size
        if time.monotonic() - read_at > SIZE_CACHE_SECONDS:
            size = await self.repo.archive_size()
            self._size = (size, time.monotonic())
        return size

    async def _frequencies(self, terms: Iterable[str], size: int) -> dict[str, int]:
        # Document frequencies barely move as the archive grows, so they are cached until it
        # has grown by STALE_GROWTH (reading them from FTS5 means walking each doclist).
        if size > self._df_size * (1 + STALE_GROWTH):
            self._df, self._df_size = {}, size
        if len(self._df) > DF_CACHE_LIMIT and not self._bulk:
            self._df = {}
        missing = [t for t in dict.fromkeys(terms) if t not in self._df]
        if missing:
            found = await self.repo.doc_frequencies(missing)
            self._df.update((t, found.get(t, 0)) for t in missing)
        return self._df

    async def _sign(self, texts: list[ArticleText], size: int) -> dict[int, Signature]:
        counts = {t.id: term_counts(t.title, t.body) for t in texts}
        df = await self._frequencies((w for c in counts.values() for w in c), size)
        sigs = {aid: signature(c, df, size) for aid, c in counts.items()}
        await self.repo.save_signatures(
            [(a, encode(s)) for a, s in sigs.items()], self.clock.now()
        )
        return sigs

    async def _candidate_signatures(self, ids: list[int], size: int) -> dict[int, Signature]:
        stored = {aid: decode(s) for aid, s in (await self.repo.signatures(ids)).items()}
        unsigned = [aid for aid in ids if aid not in stored]
        if unsigned:
            stored.update(await self._sign(await self.repo.texts(unsigned), size))
        return stored

    async def compute(self, article_id: int, limit: int = STORED) -> list[tuple[int, float]]:
        """The best related (id, score) pairs for an article, without storing the list."""
        text = await self.repo.text(article_id)
        if text is None:
            return []
        size = await self.archive_size()
        own = (await self._sign([text], size))[text.id]
        cap = max(50, COMMON_SHARE * size)
        df = self._df
        query = [t for t in own if df.get(t, 0) <= cap][:QUERY_TERMS]
        found = await self.repo.search(query, article_id, CANDIDATES, TITLE_WEIGHT)
        sigs = await self._candidate_signatures([c.id for c in found], size)
        now = self.clock.now()
        title = normalised_title(text.title)
        scored = []
        for cand in found:
            sig = sigs.get(cand.id, {})
            score = cosine(own, sig)
            if score >= NEAR_DUPLICATE or (title and normalised_title(cand.title) == title):
                continue
            scored.append((score * recency_factor(cand.moment, now), cand, sig))
        scored.sort(key=lambda item: (-item[0], -item[1].id))
        chosen: list[tuple[int, float]] = []
        kept: list[tuple[str, Signature]] = []
        for score, cand, sig in scored:
            key = normalised_title(cand.title)
            if any(key == k or cosine(sig, s) >= NEAR_DUPLICATE for k, s in kept):
                continue  # the same story twice would waste a slot
            kept.append((key, sig))
            chosen.append((cand.id, round(score, 4)))
            if len(chosen) == limit:
                break
        return chosen

    async def refresh(self, article_id: int) -> list[tuple[int, float]]:
        """Recompute and store an article's related list; return it."""
        items = await self.compute(article_id)
        size = await self.archive_size()
        await self.repo.save_related(article_id, items, self.clock.now(), size)
        return items

    async def _is_stale(self, article_id: int) -> bool:
        state = await self.repo.state(article_id)
        if state is None:
            return True
        if self.clock.now() - state.computed_at > STALE_AFTER:
            return True
        return await self.archive_size() > state.archive_size * (1 + STALE_GROWTH)

    async def related(self, article_id: int, limit: int = SHOWN) -> list[RelatedArticle]:
        """An article's related articles, recomputing the stored list when it is stale."""
        if await self._is_stale(article_id):
            await self.refresh(article_id)
        if limit > STORED:
            items = await self.compute(article_id, limit)
            texts = {t.id: t for t in await self.repo.texts([i for i, _ in items])}
            return [
                RelatedArticle(i, texts[i].url, texts[i].title, s) for i, s in items if i in texts
            ]
        return await self.repo.related(article_id, limit)

    async def article_changed(self, article: Article) -> None:
        """ArticleHook: a published or edited article gets a fresh list, its neighbours too."""
        if article.status not in SUGGESTABLE:
            return
        self._size = (0, -math.inf)  # the archive just changed
        items = await self.refresh(article.id)
        # Relatedness is symmetric enough that an article's neighbours are the lists most
        # likely to gain it; they are recomputed on their next lookup.
        await self.repo.invalidate([i for i, _ in items[:SHOWN]])

    async def sign_missing(self) -> int:
        """Sign every article without a signature, with one pass over the vocabulary."""
        self._size = (0, -math.inf)
        size = await self.archive_size()
        self._df, self._df_size = await self.repo.all_doc_frequencies(), size
        done, after = 0, 0
        self._bulk = True
        try:
            while ids := await self.repo.unsigned_ids(after, BULK_BATCH):
                await self._sign(await self.repo.texts(ids), size)
                done, after = done + len(ids), ids[-1]
        finally:
            self._bulk = False
        return done

    async def refresh_missing(self, *, everything: bool = False) -> int:
        """After an import: sign new articles, then compute every missing (or every) list."""
        await self.sign_missing()
        done, after = 0, 0
        while ids := await self.repo.suggestable_ids(
            missing_only=not everything, after=after, limit=BULK_BATCH
        ):
            for article_id in ids:
                await self.refresh(article_id)
            done, after = done + len(ids), ids[-1]
            log.info("related lists computed: %s", done)
        return done

    async def refresh_all(self) -> int:
        """Recompute every suggestable article's list (e.g. after a large import)."""
        return await self.refresh_missing(everything=True)
