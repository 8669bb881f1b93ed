"""Why a linked page could not be used, as data: a reason code with its technical detail (the
HTTP status, the content type), so the words are chosen when an admin reads them, in their
language, rather than when a background job met the problem.

`FetchError` and `ExtractError` carry only a sentence in the language of the moment, so the
reason is read from what happened instead: the exception's cause (a timeout, a refused
connection, an unknown host) and the last HTTP answer the client got (`ResponseWatch`, an
httpx event hook). What fits no reason keeps the fetcher's own sentence (`other`).
"""

from __future__ import annotations

import socket

import httpx

from bot.i18n import _, current_language, gettext_in
from bot.services.ingest.extract import ExtractError
from bot.services.ingest.fetch import HTML_TYPES
from storage.models import PageProblem

HTTP_STATUS = "http_status"
TIMEOUT = "timeout"
UNREACHABLE = "unreachable"
NO_ADDRESS = "no_address"
NOT_A_PAGE = "not_a_page"
NO_ARTICLE = "no_article"
OTHER = "other"


class ResponseWatch:
    """The last HTTP answer a client received (every redirect hop passes through here)."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.content_type = ""
        self.redirects = False  # the answer pointed elsewhere (a Location header)

    def attach(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        """Watch this client's answers; return it."""
        hooks = client.event_hooks
        client.event_hooks = {**hooks, "response": [*hooks.get("response", []), self._seen]}
        return client

    async def _seen(self, response: httpx.Response) -> None:
        self.status = response.status_code
        header = str(response.headers.get("content-type", ""))
        self.content_type = header.split(";", 1)[0].strip().lower()
        self.redirects = "location" in response.headers


# What a fetch failure's cause says, first match wins.
_CAUSES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    ((TimeoutError, httpx.TimeoutException), TIMEOUT),
    (httpx.ConnectError, UNREACHABLE),
    ((socket.gaierror, UnicodeError), NO_ADDRESS),
)


def _answered(watch: ResponseWatch) -> PageProblem | None:
    """What was wrong with the last answer, if anything."""
    status = watch.status
    if status is None:
        return None
    if not 200 <= status < 300 or status == 204:
        # Past the redirect limit the last answer is a redirect: that is no server error.
        redirected = 300 <= status < 400 and watch.redirects
        return None if redirected else PageProblem(HTTP_STATUS, status)
    if watch.content_type not in HTML_TYPES:
        return PageProblem(NOT_A_PAGE, detail=watch.content_type)
    return None


def page_problem(exc: Exception, watch: ResponseWatch) -> PageProblem:
    """The reason a page fetch or extraction failed with `exc`."""
    if isinstance(exc, ExtractError):
        return PageProblem(NO_ARTICLE)
    cause = exc.__cause__
    for kinds, reason in _CAUSES:
        if isinstance(cause, kinds):
            return PageProblem(reason)
    # A refusal of the fetcher's own (status, content type) has no cause.
    answered = _answered(watch) if cause is None else None
    return answered or PageProblem(OTHER, detail=str(exc))


def describe(problem: PageProblem) -> str:
    """The problem as one sentence in the current language."""
    if problem.reason == HTTP_STATUS:
        return _("The server answered {status}.").format(status=problem.status)
    if problem.reason == NOT_A_PAGE:
        found = problem.detail or _("unknown type")
        return _("That link is not a web page ({type}).").format(type=found)
    fixed = {
        TIMEOUT: _("The site took too long to answer."),
        UNREACHABLE: _("Could not connect to the site."),
        NO_ADDRESS: _("The site's address could not be found."),
        NO_ARTICLE: _("No article found on that page."),
    }
    if problem.reason in fixed:
        return fixed[problem.reason]
    if not problem.detail:
        return _("The site could not be fetched.")
    # The fetcher's English sentence is its msgid when it has no placeholder: translated then.
    return gettext_in(current_language(), problem.detail)
