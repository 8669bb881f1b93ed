"""Why a page or feed could not be used, as data: a reason code with its values (the HTTP
status, the content type, the limit passed), so the words are chosen when someone reads them,
in their language, rather than when a background job met the problem.

`FetchError`, the page `ExtractError`s and the feed parser's `FeedError` carry a `PageProblem`
set where they are raised; their message is `describe(problem)`, so this module is the one
place where reasons are worded.
"""

from __future__ import annotations

from bot.i18n import N_, _, current_language, gettext_in
from storage.models import PageProblem

# Reason codes, stored in draft_notes.reason and feeds.error_reason: keep existing codes'
# meaning.
INVALID_ADDRESS = "invalid_address"
BAD_REDIRECT = "bad_redirect"  # a redirect to an address that is not valid
UNSUPPORTED_SCHEME = "unsupported_scheme"
PRIVATE_ADDRESS = "private_address"
NO_ADDRESS = "no_address"  # the host name does not resolve
TIMEOUT = "timeout"
UNREACHABLE = "unreachable"
TOO_MANY_REDIRECTS = "too_many_redirects"  # detail: the limit (hops)
HTTP_STATUS = "http_status"  # status: the HTTP status
NOT_A_PAGE = "not_a_page"  # detail: the content type ('' when none was sent)
NOT_A_FEED = "not_a_feed"  # detail: the content type
PAGE_TOO_LARGE = "page_too_large"  # detail: the limit in MB
FEED_TOO_LARGE = "feed_too_large"  # detail: the limit in MB
UNDECODABLE = "undecodable"  # the body's compression was broken
NO_ARTICLE = "no_article"
NO_TITLE = "no_title"
NOT_RSS_OR_ATOM = "not_rss_or_atom"  # a feed's document parses to no RSS or Atom feed
# Any other fetch failure; notes stored before reasons were set where they arise (migration
# 0013, or the code between) have the fetcher's English sentence as detail.
OTHER = "other"

_SENTENCES = {
    INVALID_ADDRESS: N_("That is not a valid web address."),
    BAD_REDIRECT: N_("The site redirected to an invalid web address."),
    UNSUPPORTED_SCHEME: N_("Only http:// and https:// links can be fetched."),
    PRIVATE_ADDRESS: N_(
        "That address points to a private network; only public sites can be fetched."
    ),
    NO_ADDRESS: N_("The site's address could not be found."),
    TIMEOUT: N_("The site took too long to answer."),
    UNREACHABLE: N_("Could not connect to the site."),
    TOO_MANY_REDIRECTS: N_("The link redirects too many times (more than {n})."),
    HTTP_STATUS: N_("The server answered {status}."),
    NOT_A_PAGE: N_("That link is not a web page ({type})."),
    NOT_A_FEED: N_("That link is not a feed ({type})."),
    PAGE_TOO_LARGE: N_("The page is larger than {size} MB."),
    FEED_TOO_LARGE: N_("The feed is larger than {size} MB."),
    UNDECODABLE: N_("The site sent a response that could not be decoded."),
    NO_ARTICLE: N_("No article found on that page."),
    NO_TITLE: N_("The page has no title."),
    NOT_RSS_OR_ATOM: N_("That address does not look like an RSS or Atom feed."),
}


def describe(problem: PageProblem) -> str:
    """The problem as one sentence in the current language."""
    sentence = _SENTENCES.get(problem.reason)
    if sentence is not None:
        # Each sentence takes the values its reason has; str.format ignores the others.
        kind = problem.detail or _("unknown type")
        return _(sentence).format(
            status=problem.status, type=kind, n=problem.detail, size=problem.detail
        )
    if not problem.detail:
        return _("The site could not be fetched.")
    # A stored English sentence is its msgid when it has no placeholder: translated then.
    return gettext_in(current_language(), problem.detail)
