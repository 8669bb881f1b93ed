"""Related articles: content similarity over the archive, computed at publish time and stored.

How a list is computed (`RelatedService.refresh`):
1. The article's terms (title and body, lower-cased, accents dropped, English stop words
   removed) and its names, figures and dates (`entity_features`) get sublinear tf-idf
   weights with document frequencies from the FTS5 vocabulary (an entity's is its rarest
   word's); the strongest of each form its stored signature (`similarity`).
2. Its QUERY_TERMS most distinctive terms, skipping very common ones, form an FTS5 OR query
   ranked by bm25() with the title weighted TITLE_WEIGHT: the CANDIDATES best are kept.
3. Candidates are re-ranked by relevance (the cosine of the signatures), those below the
   relevance floor are dropped (fewer suggestions rather than unrelated ones),
   copies of the article and of each other (signature cosine >= NEAR_DUPLICATE: the same
   text give or take a line of page furniture; a shared headline alone is not a copy, as
   two reports of one event often carry the same wire headline) are dropped, and a small
   recency bonus (at most RECENCY_BONUS, halving every RECENCY_HALF_LIFE_DAYS) decides
   between close scores. The stored score is the relevance itself. Withdrawn articles, and
   copies of them (the same content hash under another URL, or near-duplicates), are never
   suggested: for them a shared headline or a cosine >= WITHDRAWN_COPY is enough.

Refresh policy: publishing or editing an article (the `article_changed` hook) recomputes its
list and invalidates the lists of its new neighbours, which most likely gain it. Any other
list is recomputed lazily when it is looked up and is missing, older than STALE_AFTER, or was
computed when the archive was more than STALE_GROWTH smaller. Imports call
`refresh_missing()` (or `refresh_all()` to recompute everything), which signs every new
article (and every one signed in an older format) in one pass over the vocabulary before
computing lists.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import ChainMap, Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.services.readers.similarity import (
    Ranking,
    Signature,
    cosine,
    decode,
    encode,
    entity_words,
    is_entity,
    signature,
    signature_format,
    term_counts,
)
from bot.services.text.entities import entity_features
from storage.models import Article
from storage.related import (
    SUGGESTABLE,
    ArticleText,
    Candidate,
    RelatedArticle,
    RelatedRepository,
)

log = logging.getLogger(__name__)

SHOWN = 3
STORED = 10
QUERY_TERMS = 20
CANDIDATES = 30
TITLE_WEIGHT = 2.0
COMMON_SHARE = 0.05  # terms in more than 5% of a large archive are too common to search for
# The same text with a line of page furniture added scores >= 0.95 (every ECB+ article
# tried); distinct reports of one event score below it, and are worth reading both.
NEAR_DUPLICATE = 0.95
WITHDRAWN_COPY = 0.9
RECENCY_BONUS = 0.05
RECENCY_HALF_LIFE_DAYS = 30.0
STALE_AFTER = timedelta(days=7)
STALE_GROWTH = 0.10
SIZE_CACHE_SECONDS = 30.0
DF_CACHE_LIMIT = 200_000
BULK_BATCH = 500
_WORDS = re.compile(r"[^\W_]+")


def recency_factor(moment: datetime, now: datetime) -> float:
    """1 + a bonus that halves every RECENCY_HALF_LIFE_DAYS of age."""
    age_days = max(0.0, (now - moment).total_seconds() / 86400)
    return 1.0 + RECENCY_BONUS * math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)


class RelatedService:
    """Computes, stores and serves each article's related articles."""

    def __init__(
        self, repo: RelatedRepository, clock: Clock, ranking: Ranking | None = None
    ) -> None:
        self.repo = repo
        self.clock = clock
        self.ranking = ranking or Ranking()
        self._mark = signature_format(self.ranking.entity_weight)
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

    async def _frequencies(self, terms: Iterable[str], size: int) -> Mapping[str, int]:
        # Document frequencies barely move as the archive grows, so they are cached until it
        # has grown by STALE_GROWTH (reading them from FTS5 means walking each doclist).
        if size > self._df_size * (1 + STALE_GROWTH):
            self._df, self._df_size = {}, size
        if len(self._df) > DF_CACHE_LIMIT and not self._bulk:
            self._df = {}
        df = self._df
        wanted = dict.fromkeys(terms)
        entities = {t: entity_words(t) for t in wanted if is_entity(t)}
        words = [t for t in wanted if not is_entity(t) and t not in df]
        words += [w for parts in entities.values() for w in parts if w not in df]
        if words:
            found = await self.repo.doc_frequencies(words)
            df.update((t, found.get(t, 0)) for t in words)
        # No index counts names or figures, but none is more frequent than its rarest word:
        # that upper bound stands in for its document frequency. It is cheap to recompute,
        # so entities stay out of the cache, which holds the words they are made of.
        rarest = {key: min((df[w] for w in parts), default=0) for key, parts in entities.items()}
        return ChainMap(rarest, df)

    async def _sign(self, texts: list[ArticleText], size: int) -> dict[int, Signature]:
        counts = {t.id: term_counts(t.title, t.body) for t in texts}
        found = {t.id: _entities(t) for t in texts}
        keys = [w for c in (*counts.values(), *found.values()) for w in c]
        df = await self._frequencies(keys, size)
        weight = self.ranking.entity_weight
        sigs = {aid: signature(c, df, size, found[aid], weight) for aid, c in counts.items()}
        await self.repo.save_signatures(
            [(a, encode(s, self._mark)) for a, s in sigs.items()], self.clock.now()
        )
        return sigs

    async def _candidate_signatures(self, ids: list[int], size: int) -> dict[int, Signature]:
        stored = {
            aid: sig
            for aid, text in (await self.repo.signatures(ids)).items()
            if (sig := decode(text, self._mark)) is not None  # None: an older format
        }
        unsigned = [aid for aid in ids if aid not in stored]
        if unsigned:
            stored.update(await self._sign(await self.repo.texts(unsigned), size))
        return stored

    async def _scored(
        self, text: ArticleText, own: Signature, size: int
    ) -> list[tuple[float, float, Candidate, Signature]]:
        """Candidates above the floor as (ordering score, relevance, candidate, signature)."""
        cap = max(50, COMMON_SHARE * size)
        query = [t for t in own if not is_entity(t) and self._df.get(t, 0) <= cap][:QUERY_TERMS]
        found = await self.repo.search(query, text.id, CANDIDATES, TITLE_WEIGHT)
        sigs = await self._candidate_signatures([c.id for c in found], size)
        now = self.clock.now()
        withdrawn = [(_headline(c.title), sigs.get(c.id, {})) for c in found if c.withdrawn]
        scored = []
        for cand in (c for c in found if not c.withdrawn):
            sig = sigs.get(cand.id, {})
            if _copy_of_any(sig, [own]) or _copy_of_withdrawn(cand, sig, withdrawn):
                continue  # the article itself again, or what the admin took down
            score = cosine(own, sig)
            if score >= self.ranking.floor:
                scored.append((score * recency_factor(cand.moment, now), score, cand, sig))
        scored.sort(key=lambda item: (-item[0], -item[2].id))
        return scored

    async def compute(self, article_id: int, limit: int = STORED) -> list[tuple[int, float]]:
        """The best related (id, relevance) pairs for an article, without storing the list."""
        text = await self.repo.text(article_id)
        if text is None:
            return []
        size = await self.archive_size()
        own = (await self._sign([text], size))[text.id]
        chosen: list[tuple[int, float]] = []
        kept: list[Signature] = []
        for _, score, cand, sig in await self._scored(text, own, size):
            if _copy_of_any(sig, kept):
                continue  # the same text twice would waste a slot
            kept.append(sig)
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
        return await self.repo.related(article_id, limit, self.ranking.floor)

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
        """Sign every article without a current signature, with one pass over the vocabulary."""
        self._size = (0, -math.inf)
        size = await self.archive_size()
        self._df, self._df_size = await self.repo.all_doc_frequencies(), size
        done, after = 0, 0
        self._bulk = True
        try:
            while ids := await self.repo.unsigned_ids(after, BULK_BATCH, self._mark):
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


def _copy_of_withdrawn(
    cand: Candidate, sig: Signature, withdrawn: list[tuple[str, Signature]]
) -> bool:
    """Whether a candidate may be a withdrawn article again: its headline, or close to its text.

    Stricter than `_copy_of_any` on purpose: what an admin took down must not come back
    through a lightly edited copy, even at the cost of hiding a genuine report or two.
    """
    title = _headline(cand.title)
    return any(title == t or cosine(sig, s) >= WITHDRAWN_COPY for t, s in withdrawn)


def _headline(title: str) -> str:
    """A headline's words, lower-cased: the same headline whatever its punctuation."""
    return " ".join(_WORDS.findall(title.casefold()))


def _copy_of_any(sig: Signature, others: list[Signature]) -> bool:
    """Whether a candidate's signature is a copy of one of others' (the same text)."""
    return any(cosine(sig, other) >= NEAR_DUPLICATE for other in others)


def _entities(text: ArticleText) -> Counter[str]:
    """An article's names, figures and dates, with its own publication date."""
    return entity_features(text.title, text.body, text.published)
