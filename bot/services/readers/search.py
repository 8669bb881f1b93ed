"""Finding an article again: /search and inline queries (`@bot words`).

Readers' words never reach FTS5 as syntax: only letters and digits are kept, each word is
quoted (so AND, NEAR, quotes, columns and stars are just words), and the last one matches as
a prefix so that results follow typing."""

from __future__ import annotations

import re

from storage.articles import ArticleRepository
from storage.models import Article
from storage.related import SUGGESTABLE
from storage.search import SearchRepository

MAX_INPUT = 512  # characters of a query looked at (a 4,000-character search is cut)
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# What unicode61, the index's tokenizer, treats as word characters (underscore separates).
_TERM = re.compile(r"[^\W_]+")
_BY_ID = re.compile(r"#(\d{1,18})")


def fts_query(text: str) -> str | None:
    """The FTS5 query for a reader's words (every word, the last as a prefix), or None."""
    terms = [t[:MAX_TERM_LENGTH] for t in _TERM.findall(text[:MAX_INPUT].lower())][:MAX_TERMS]
    if not terms:
        return None
    quoted = [f'"{t}"' for t in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


class SearchService:
    """Published articles by words, by `#id`, or the latest."""

    def __init__(self, search: SearchRepository, articles: ArticleRepository) -> None:
        self.repository = search
        self.articles = articles

    async def find(self, text: str, limit: int) -> list[Article]:
        """Articles matching the words, best first; `#<id>` is that one article."""
        by_id = _BY_ID.fullmatch(text.strip())
        if by_id:
            article = await self.articles.get(int(by_id[1]))
            return [article] if article is not None and article.status in SUGGESTABLE else []
        query = fts_query(text)
        if query is None:
            return []
        return await self.articles.get_many(await self.repository.search(query, limit))

    async def latest(self, limit: int) -> list[Article]:
        """The latest published articles."""
        return await self.articles.get_many(await self.repository.latest(limit))
