"""Fast, language-agnostic extractive summarizer for news articles.

Method (no model, no language resources beyond a few boilerplate patterns):

1. Split the body with :func:`split_sentences` and clean each sentence: drop agency and
   dateline prefixes ("(CNN) --", "LONDON (Reuters) -"), "Scroll down for video" markers and
   whole boilerplate sentences (bylines, "PUBLISHED: ... | UPDATED: ...", "Last updated at",
   "Click here", "Follow us").  Fragments of fewer than five words are not candidates.
2. Score each candidate.  News is written as an inverted pyramid, so a position prior
   dominates: flat over the first few candidates (the lead), then falling off quickly.  Two
   content signals decide among the lead sentences: centrality (the share of the sentence's
   content words that recur elsewhere in the article) and overlap with the title.  Sentences
   far from a typical news-sentence length lose a little: very long "sentences" are usually
   photo captions glued to the text without punctuation, very short ones carry little.
3. Pick greedily by score, skipping near-duplicates of already chosen sentences (captions
   often repeat the lead), within ``max_sentences`` and ``max_chars``; emit them in
   original order.

Words are lowercased ``\\w+`` runs; very short words and a small multilingual stop list are
ignored, which is enough for centrality in any language that separates words by spaces.
``benchmarks/summary_quality.py`` compares the result with lead-3 on ROUGE-1/2/L.
"""

# Patterns and stop words cover non-Latin scripts and typographic dashes on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.services.text.sentences import split_sentences

_ELLIPSIS = "…"
_MIN_WORDS = 5
_IDEAL_WORDS = 22
_REDUNDANCY = 0.6
_LEAD_SPAN = 3.5  # Candidates this far in keep half of the position prior.
# Weights were chosen on the CNN/DailyMail dev set within a broad plateau (see benchmarks/).
_W_POSITION = 3.0
_W_CENTRALITY = 3.0
_W_TITLE = 0.5
_W_LENGTH = 0.5

_PREFIXES = re.compile(
    r"^(?:"
    r"(?:[A-Z][\w.,' -]{0,40}\s)?\((?:CNN|AP|AFP|Reuters|UPI|CNN Money)\)"
    r"\s*(?:--|[-—–:])?\s*"
    r"|[A-Z][A-Z .,'-]{2,40}\s(?:--|[—–])\s"
    r"|Scroll down for (?:video|more)\.*\s*"
    r")"
)
_BOILERPLATE = re.compile(
    r"^(?:By\s*\.|PUBLISHED:|UPDATED:|Last updated|Click here|READ MORE|Read more:|"
    r"Follow (?:us|@)|Sign up|Subscribe|Copyright|All rights reserved|Share this|"
    r"Читайте также|Подписывайтесь|Фото:|Видео:)",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
_HEADING_WORDS = 12  # an unpunctuated line this short is a heading, not a paragraph
_ENDED = re.compile(r"[.!?…。！？؟।:;][\"'”’»)\]]*$")
# Openers that refer back to the sentence before: pronouns and connectives in English,
# Russian and Uzbek. "This"/"That" only before a verb ("This week..." stands alone).
_REFERS_BACK = re.compile(
    r"^[\"'“‘«(]*(?:he|she|they|it|its|his|her|their|them|these|those|but|however|and|also|"
    r"yet|such|(?:this|that)(?=\s+(?:is|was|has|had|will|would|could|can|may|means|meant|"
    r"came|comes|led|leads|follows|followed)\b)|"
    r"он|она|оно|они|его|её|ее|их|это|эти|но|однако|также|"
    r"u|ular|bu|shu|uning|ularning|lekin|ammo|biroq|shuningdek|"
    r"у|улар|бу|шу|унинг|уларнинг|лекин|аммо|бироқ|шунингдек)\b",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    _WORD.findall(
        """the and for that with was were are this from have has had his her their they them
    she him who which what when where will would said says been not but into than then
    there also about after before over more most some such only other could should
    что это как для его она они был была были которые который также после если или
    uchun bilan ham esa emas bu va"""
    )
)


@dataclass(frozen=True)
class _Candidate:
    """One cleaned sentence of the body with its position and content words."""

    index: int
    text: str
    words: frozenset[str]
    length: int


def _clean(sentence: str) -> str:
    """Strip agency/dateline prefixes and video markers from a sentence."""
    previous = None
    while previous != sentence:
        previous = sentence
        sentence = _PREFIXES.sub("", sentence, count=1).strip()
    return sentence


def _content_words(text: str) -> list[str]:
    """Lowercased words that carry content (long enough, not stop words)."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOPWORDS]


def _candidates(body: str, *, strict: bool = True) -> list[_Candidate]:
    """Sentences of the body, in order; ``strict`` cleans them and drops boilerplate."""
    result: list[_Candidate] = []
    for sentence in split_sentences(body):
        text = _clean(sentence) if strict else sentence
        # Words with a letter: "10:01 EST, 1 May 2013 ." is a timestamp, not a sentence.
        length = sum(any(ch.isalpha() for ch in token) for token in text.split())
        if strict and (length < _MIN_WORDS or _BOILERPLATE.match(text)):
            continue
        if strict and length <= _HEADING_WORDS and not _ENDED.search(text):
            continue  # a heading or caption line, not a sentence
        if text:
            words = frozenset(_content_words(text))
            result.append(_Candidate(len(result), text, words, length))
    return result


def _position_prior(index: int) -> float:
    """Prior for the index-th candidate: flat over the lead paragraph, then falling fast."""
    return 1.0 / (1.0 + (index / _LEAD_SPAN) ** 3)


def _scores(title: str, candidates: list[_Candidate]) -> list[float]:
    """Score candidates: position prior, centrality, title overlap and length fit."""
    frequency = Counter(w for c in candidates for w in c.words)
    title_words = frozenset(_content_words(title))
    scores: list[float] = []
    for cand in candidates:
        # Share of the sentence's content words that recur elsewhere in the article.
        centrality = sum(frequency[w] > 1 for w in cand.words) / (len(cand.words) or 1)
        title_overlap = len(cand.words & title_words) / (len(title_words) or 1)
        length_fit = math.exp(-abs(math.log(max(cand.length, 1) / _IDEAL_WORDS)))
        scores.append(
            _W_POSITION * _position_prior(cand.index)
            + _W_CENTRALITY * centrality
            + _W_TITLE * title_overlap
            + _W_LENGTH * length_fit
        )
    return scores


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sentences share most of their content words."""
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= _REDUNDANCY


def _shorten(text: str, max_chars: int) -> str:
    """Cut text at a word boundary so that it plus an ellipsis fits in ``max_chars``."""
    if len(text) <= max_chars:
        return text
    limit = max_chars - len(_ELLIPSIS)
    cut = text[:limit]
    if not text[limit].isspace() and " " in cut:
        cut = cut[: cut.rfind(" ")]  # Mid-word: back off to the previous word.
    return cut.rstrip() + _ELLIPSIS


def _refers_back(cand: _Candidate) -> bool:
    """Whether a sentence leans on the one before ("She said...", "But...", "Он...")."""
    return bool(_REFERS_BACK.match(cand.text))


def _group(
    cand: _Candidate, candidates: list[_Candidate], chosen: dict[int, _Candidate]
) -> list[_Candidate]:
    """The sentences to add for ``cand``: itself, with the one it refers back to if needed."""
    # The first sentence follows the headline, which readers see above the summary.
    if cand.index == 0 or not _refers_back(cand) or cand.index - 1 in chosen:
        return [cand]
    before = candidates[cand.index - 1]
    if any(_similar(before.words, c.words) for c in chosen.values()):
        return [cand]  # what it refers to is already said (a caption repeating the lead)
    if _refers_back(before) and before.index - 1 not in chosen:
        return []  # a chain: it would not read on its own
    return [before, cand]


def _select(title: str, candidates: list[_Candidate], max_sentences: int, max_chars: int) -> str:
    """Greedy selection by score under the sentence and character budgets."""
    scores = _scores(title, candidates)
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    chosen: dict[int, _Candidate] = {}
    used = -1  # Joining n sentences costs n - 1 spaces.
    for cand in (candidates[i] for i in order):
        if len(chosen) == max_sentences:
            break
        group = [c for c in _group(cand, candidates, chosen) if c.index not in chosen]
        if len(group) == 2 and len(chosen) + 2 > max_sentences:
            group = group[:1]  # no room for both: the one it refers to stands alone
        cost = sum(1 + len(_ended(c.text)) for c in group)
        # A sentence that does not fit is skipped whole; a shorter one may still fit.
        if not group or len(chosen) + len(group) > max_sentences or used + cost > max_chars:
            continue
        if any(_similar(c.words, o.words) for c in group for o in chosen.values()):
            continue
        chosen.update((c.index, c) for c in group)
        used += cost
    if not chosen:
        return _shorten(_ended(candidates[order[0]].text), max_chars)
    return " ".join(_ended(chosen[i].text) for i in sorted(chosen))


def _ended(text: str) -> str:
    """A sentence with terminal punctuation: a paragraph that lacked its full stop gets one."""
    return text if _ENDED.search(text) else f"{text}."


def summarize(title: str, body: str, *, max_sentences: int = 3, max_chars: int = 900) -> str:
    """Return an extractive plain-text summary of a news article (not HTML-escaped)."""
    if max_sentences < 1 or max_chars <= len(_ELLIPSIS):
        raise ValueError("max_sentences must be positive and max_chars greater than 1")
    # If the filters reject everything, the body's raw sentences still beat an empty summary.
    candidates = _candidates(body) or _candidates(body, strict=False)
    if candidates:
        return _select(title, candidates, max_sentences, max_chars)
    return _shorten(" ".join(title.split()), max_chars)


def _parse_record(line: str, number: int) -> tuple[object, str, str]:
    """Validate one JSONL record and return its id, title and body."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"line {number}: invalid JSON ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise ValueError(f"line {number}: expected a JSON object")
    title, body = record.get("title"), record.get("body")
    if not isinstance(title, str) or not isinstance(body, str):
        raise ValueError(f"line {number}: 'title' and 'body' must be strings")
    return record.get("id"), title, body


def summarize_jsonl(lines: Iterable[str]) -> Iterator[str]:
    """Summarize JSON lines of ``{"title", "body", "id"?}`` into ``{"id", "summary"}`` lines."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue  # Blank lines (e.g. a trailing newline) carry no record.
        record_id, title, body = _parse_record(line, number)
        summary = summarize(title, body)
        yield json.dumps({"id": record_id, "summary": summary}, ensure_ascii=False)
