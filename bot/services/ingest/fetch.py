"""Fetch web pages and feeds without letting a URL reach private networks."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

from bot.services.ingest import problems
from bot.services.ingest.charset import decode_body
from bot.services.ingest.problems import describe
from storage.models import PageProblem

USER_AGENT = "newsbot/0.1 (+https://github.com/)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/feed+xml",
    # Many small publishers serve their feed as text/html or text/plain.
    "text/html",
    "text/plain",
)
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A fetch failed: `problem` says why as data; str() is that reason in the current
    language, a short explanation that can be shown to the user."""

    def __init__(self, reason: str, *, status: int | None = None, detail: str = "") -> None:
        self.problem = PageProblem(reason, status, detail)
        super().__init__(describe(self.problem))


@dataclass(frozen=True)
class FetchedPage:
    """A downloaded document; `truncated` is True when the body was cut at the size cap."""

    url: str
    status: int
    content_type: str
    body: bytes
    text: str
    truncated: bool = False


def make_client(timeout: float = 10.0) -> httpx.AsyncClient:
    """Return an HTTP client suited to fetch_page (redirects are followed by fetch_page)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


async def fetch_page(
    url: str,
    *,
    client: httpx.AsyncClient,
    allow_private: bool = False,
    max_bytes: int = 2_000_000,
    max_redirects: int = 3,
    accept: tuple[str, ...] = HTML_TYPES,
    cut_oversize: bool = True,
    what: str = "a web page",
    total_timeout: float = 30.0,
) -> FetchedPage:
    """Download url, checking every redirect hop, the content type and the size.

    Bodies over max_bytes are cut at the cap when cut_oversize is true (an HTML page
    still parses, and the article is near the top); otherwise FetchError is raised.
    total_timeout bounds the whole download, since the client's timeouts apply per
    read and a server dripping bytes could otherwise hold the fetch open for ever.
    Addresses are checked before each request; a DNS answer that changes between the
    check and httpx's own lookup (DNS rebinding) is not caught.
    """
    policy = _Policy(allow_private, max_bytes, max_redirects, accept, cut_oversize, what)
    try:
        async with asyncio.timeout(total_timeout):
            response, body, truncated = await _download(url, client, policy)
    except TimeoutError as exc:
        raise FetchError(problems.TIMEOUT) from exc
    except httpx.HTTPError as exc:
        raise FetchError(_http_error_reason(exc)) from exc
    except httpx.InvalidURL as exc:
        raise FetchError(problems.BAD_REDIRECT) from exc
    return FetchedPage(
        url=str(response.url),
        status=response.status_code,
        content_type=_media_type(response),
        body=body,
        text=decode_body(body, response.charset_encoding),
        truncated=truncated,
    )


async def fetch_feed_bytes(
    url: str,
    *,
    client: httpx.AsyncClient,
    allow_private: bool = False,
    max_bytes: int = 5_000_000,
) -> FetchedPage:
    """Download an RSS/Atom feed; an oversized feed is an error because cut XML is broken."""
    return await fetch_page(
        url,
        client=client,
        allow_private=allow_private,
        max_bytes=max_bytes,
        accept=FEED_TYPES,
        cut_oversize=False,
        what="a feed",
    )


async def check_url(url: str, *, allow_private: bool = False) -> httpx.URL:
    """Validate scheme and host and, unless allow_private, refuse non-public addresses."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(problems.INVALID_ADDRESS) from exc
    if parsed.scheme not in {"http", "https"}:
        raise FetchError(problems.UNSUPPORTED_SCHEME)
    if not parsed.host:
        raise FetchError(problems.INVALID_ADDRESS)
    if not allow_private:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        for address in await _resolve(parsed.host, port):
            if not _is_public(address):
                raise FetchError(problems.PRIVATE_ADDRESS)
    return parsed


@dataclass(frozen=True)
class _Policy:
    allow_private: bool
    max_bytes: int
    max_redirects: int
    accept: tuple[str, ...]
    cut_oversize: bool
    what: str

    def too_large(self) -> FetchError:
        size = f"{self.max_bytes / 1_000_000:g}"
        if self.what == "a feed":
            return FetchError(problems.FEED_TOO_LARGE, detail=size)
        return FetchError(problems.PAGE_TOO_LARGE, detail=size)


async def _download(
    url: str, client: httpx.AsyncClient, policy: _Policy
) -> tuple[httpx.Response, bytes, bool]:
    """Follow redirects by hand so that every hop goes through check_url."""
    current = await check_url(url, allow_private=policy.allow_private)
    for _hop in range(policy.max_redirects + 1):
        request = client.build_request("GET", current)
        # Never let the client follow redirects itself: each hop must pass check_url.
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            location = response.headers.get("location")
            if response.status_code in _REDIRECT_CODES and location:
                target = str(current.join(location))
                current = await check_url(target, allow_private=policy.allow_private)
                continue
            _check_response(response, policy)
            body, truncated = await _read_capped(response, policy)
            return response, body, truncated
        finally:
            await response.aclose()
    raise FetchError(problems.TOO_MANY_REDIRECTS, detail=str(policy.max_redirects))


def _check_response(response: httpx.Response, policy: _Policy) -> None:
    """Reject error statuses, unwanted content types and announced oversize bodies."""
    # 3xx here means a redirect without a Location header; 204 has no body to use.
    if not 200 <= response.status_code < 300 or response.status_code == 204:
        raise FetchError(problems.HTTP_STATUS, status=response.status_code)
    media_type = _media_type(response)
    if media_type not in policy.accept:
        reason = problems.NOT_A_FEED if policy.what == "a feed" else problems.NOT_A_PAGE
        raise FetchError(reason, detail=media_type)
    length = str(response.headers.get("content-length", ""))
    if not policy.cut_oversize and length.isdecimal() and int(length) > policy.max_bytes:
        raise policy.too_large()


async def _read_capped(response: httpx.Response, policy: _Policy) -> tuple[bytes, bool]:
    """Read the decompressed body, stopping at max_bytes so huge or bomb-like bodies stay cheap."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > policy.max_bytes:
            if not policy.cut_oversize:
                raise policy.too_large()
            return b"".join(chunks)[: policy.max_bytes], True
    return b"".join(chunks), False


async def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Return every address host resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(problems.NO_ADDRESS) from exc
    addresses = []
    for info in infos:
        # Strip an IPv6 zone id ("fe80::1%eth0"), which ip_address() rejects.
        text = str(info[4][0]).split("%", 1)[0]
        addresses.append(ipaddress.ip_address(text))
    if not addresses:
        raise FetchError(problems.NO_ADDRESS)
    return addresses


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for globally routable unicast addresses only."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        # is_global also excludes ranges such as 100.64.0.0/10 (carrier-grade NAT).
        or not address.is_global
    )


def _media_type(response: httpx.Response) -> str:
    """Return the lower-cased media type without parameters."""
    header = str(response.headers.get("content-type", ""))
    return header.split(";", 1)[0].strip().lower()


def _http_error_reason(exc: httpx.HTTPError) -> str:
    """The reason code for an httpx exception."""
    if isinstance(exc, httpx.TimeoutException):
        return problems.TIMEOUT
    if isinstance(exc, httpx.ConnectError):
        return problems.UNREACHABLE
    if isinstance(exc, httpx.UnsupportedProtocol):
        return problems.INVALID_ADDRESS
    if isinstance(exc, httpx.DecodingError):
        return problems.UNDECODABLE
    return problems.OTHER
