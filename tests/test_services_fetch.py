"""fetch_page / fetch_feed_bytes against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from bot.services.ingest.charset import decode_body
from bot.services.ingest.fetch import (
    FetchError,
    check_url,
    fetch_feed_bytes,
    fetch_page,
    make_client,
)
from storage.models import PageProblem

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE = (FIXTURES / "pages" / "article_boilerplate.html").read_bytes()
CP1251 = (FIXTURES / "pages" / "article_cp1251.html").read_bytes()
RSS = (FIXTURES / "feeds" / "rss.xml").read_bytes()
BIG = b"<html><body>" + b"<p>filler paragraph</p>" * 3000 + b"</body></html>"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC_IP = "93.184.216.34"  # a public address; only ever reached through MockTransport


@dataclass
class Server:
    base: str
    port: int
    hits: list[str] = field(default_factory=list)


class _Site:
    """Request handlers for the local test server."""

    def __init__(self, state: Server) -> None:
        self.state = state

    async def article(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=ARTICLE, content_type="text/html")

    async def cp1251(self, request: web.Request) -> web.StreamResponse:
        # Set the header by hand so that no charset parameter is added.
        return web.Response(body=CP1251, headers={"Content-Type": "text/html"})

    async def redirect(self, request: web.Request) -> web.StreamResponse:
        # /redirect/n answers with a chain of exactly n redirects.
        left = int(request.match_info["n"])
        raise web.HTTPFound("/article" if left <= 1 else f"/redirect/{left - 1}")

    async def to_localhost(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"http://localhost:{self.state.port}/article")

    async def big(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=BIG, content_type="text/html")

    async def big_chunked(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(50):
            await response.write(b"<item>" + b"x" * 1000 + b"</item>")
        await response.write_eof()
        return response

    async def pdf(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"%PDF-1.4 fake", content_type="application/pdf")

    async def feed(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=RSS, content_type="application/rss+xml")

    async def slow(self, request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(1.0)
        return web.Response(body=ARTICLE, content_type="text/html")

    async def drip(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        for _ in range(40):
            await response.write(b"<p>drip</p>")
            await asyncio.sleep(0.05)
        return response

    async def missing(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPNotFound

    def app(self) -> web.Application:
        @web.middleware
        async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
            self.state.hits.append(request.path)
            return await handler(request)

        app = web.Application(middlewares=[record])
        for name in ("article", "cp1251", "to_localhost", "big", "big_chunked", "pdf", "feed"):
            app.router.add_get("/" + name.replace("_", "-"), getattr(self, name))
        for name in ("slow", "drip", "missing"):
            app.router.add_get("/" + name, getattr(self, name))
        app.router.add_get("/redirect/{n}", self.redirect)
        return app


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server(base="", port=0)
    runner = web.AppRunner(_Site(state).app(), shutdown_timeout=0.2, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.port = runner.addresses[0][1]
    state.base = f"http://127.0.0.1:{state.port}"
    yield state
    await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(timeout=2.0) as http:
        yield http


async def test_fetches_local_page_when_private_allowed(server: Server, client: httpx.AsyncClient):
    page = await fetch_page(f"{server.base}/article", client=client, allow_private=True)
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.url == f"{server.base}/article"
    assert page.body == ARTICLE
    assert "Harbour town votes to restore its old tide mill" in page.text
    assert not page.truncated


async def test_sends_newsbot_user_agent(client: httpx.AsyncClient):
    assert client.headers["User-Agent"].startswith("newsbot/")
    assert client.follow_redirects is False


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_refuses_loopback_by_default(server: Server, client: httpx.AsyncClient, host: str):
    with pytest.raises(FetchError, match="private network"):
        await fetch_page(f"http://{host}:{server.port}/article", client=client)
    assert server.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
    ],
)
async def test_check_url_refuses_non_public_addresses(url: str):
    with pytest.raises(FetchError, match="private network") as caught:
        await check_url(url)
    assert caught.value.problem == PageProblem("private_address")


async def test_check_url_accepts_public_literal():
    parsed = await check_url(f"https://{PUBLIC_IP}/news")
    assert parsed.host == PUBLIC_IP


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/file", "unsupported_scheme"),
        ("file:///etc/passwd", "unsupported_scheme"),
        ("not a url", "unsupported_scheme"),  # no scheme at all
        ("http:///news", "invalid_address"),
    ],
)
async def test_refuses_other_schemes(url: str, reason: str, client: httpx.AsyncClient):
    with pytest.raises(FetchError, match=r"http://|valid web address") as caught:
        await fetch_page(url, client=client)
    assert caught.value.problem == PageProblem(reason)


async def test_follows_redirects_up_to_limit(server: Server, client: httpx.AsyncClient):
    page = await fetch_page(
        f"{server.base}/redirect/3", client=client, allow_private=True, max_redirects=3
    )
    assert page.url == f"{server.base}/article"
    assert server.hits == ["/redirect/3", "/redirect/2", "/redirect/1", "/article"]


async def test_too_many_redirects(server: Server, client: httpx.AsyncClient):
    with pytest.raises(FetchError, match=r"redirects too many times \(more than 3\)") as caught:
        await fetch_page(
            f"{server.base}/redirect/4", client=client, allow_private=True, max_redirects=3
        )
    assert caught.value.problem == PageProblem("too_many_redirects", detail="3")
    # The fourth redirect is not followed.
    assert server.hits == ["/redirect/4", "/redirect/3", "/redirect/2", "/redirect/1"]


async def test_cross_host_redirect_is_followed(server: Server, client: httpx.AsyncClient):
    page = await fetch_page(f"{server.base}/to-localhost", client=client, allow_private=True)
    assert page.url == f"http://localhost:{server.port}/article"
    assert server.hits == ["/to-localhost", "/article"]


async def test_redirect_to_private_address_is_refused():
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://127.0.0.1:9/admin"})

    # Even a client configured to follow redirects must not follow them unchecked.
    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport, follow_redirects=True) as mock_client:
        with pytest.raises(FetchError, match="private network"):
            await fetch_page(f"http://{PUBLIC_IP}/story", client=mock_client)
    assert requested == [f"http://{PUBLIC_IP}/story"]


async def test_redirect_to_localhost_name_is_refused_at_each_hop(server: Server):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": f"http://localhost:{server.port}/article"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as mock_client:
        with pytest.raises(FetchError, match="private network"):
            await fetch_page(f"http://{PUBLIC_IP}/", client=mock_client)
    assert server.hits == []


async def test_public_address_passes_guard():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=ARTICLE, headers={"Content-Type": "text/html; charset=utf-8"}
        )

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as mock_client:
        page = await fetch_page(f"http://{PUBLIC_IP}/story", client=mock_client)
    assert page.body == ARTICLE


async def test_html_is_cut_at_size_cap(server: Server, client: httpx.AsyncClient):
    page = await fetch_page(
        f"{server.base}/big", client=client, allow_private=True, max_bytes=10_000
    )
    assert page.truncated
    assert page.body == BIG[:10_000]


async def test_oversize_feed_is_refused(server: Server, client: httpx.AsyncClient):
    for path in ("/big-chunked", "/feed"):
        with pytest.raises(FetchError, match=r"feed is larger than 0\.001 MB") as caught:
            await fetch_feed_bytes(
                f"{server.base}{path}", client=client, allow_private=True, max_bytes=1_000
            )
        assert caught.value.problem == PageProblem("feed_too_large", detail="0.001")


async def test_fetches_feed(server: Server, client: httpx.AsyncClient):
    page = await fetch_feed_bytes(f"{server.base}/feed", client=client, allow_private=True)
    assert page.body == RSS
    assert page.content_type == "application/rss+xml"


async def test_non_html_content_type_is_refused(server: Server, client: httpx.AsyncClient):
    with pytest.raises(FetchError, match=r"not a web page \(application/pdf\)") as caught:
        await fetch_page(f"{server.base}/pdf", client=client, allow_private=True)
    assert caught.value.problem == PageProblem("not_a_page", detail="application/pdf")
    with pytest.raises(FetchError, match=r"not a feed \(application/pdf\)") as caught:
        await fetch_feed_bytes(f"{server.base}/pdf", client=client, allow_private=True)
    assert caught.value.problem == PageProblem("not_a_feed", detail="application/pdf")


async def test_http_error_status(server: Server, client: httpx.AsyncClient):
    with pytest.raises(FetchError, match="answered 404") as caught:
        await fetch_page(f"{server.base}/missing", client=client, allow_private=True)
    assert caught.value.problem == PageProblem("http_status", status=404)


async def test_cp1251_without_charset_decodes(server: Server, client: httpx.AsyncClient):
    page = await fetch_page(f"{server.base}/cp1251", client=client, allow_private=True)
    assert "charset" not in CP1251.decode("ascii", errors="ignore").lower()
    assert page.text == CP1251.decode("cp1251")
    assert (
        "\u0431\u0438\u0431\u043b\u0438\u043e\u0442\u0435\u043a\u0443" in page.text
    )  # "библиотеку"


async def test_read_timeout_becomes_fetch_error(server: Server):
    async with make_client(timeout=0.1) as fast_client:
        with pytest.raises(FetchError, match="too long") as caught:
            await fetch_page(f"{server.base}/slow", client=fast_client, allow_private=True)
    assert caught.value.problem == PageProblem("timeout")


async def test_total_timeout_stops_dripping_server(server: Server, client: httpx.AsyncClient):
    with pytest.raises(FetchError, match="too long") as caught:
        await fetch_page(
            f"{server.base}/drip", client=client, allow_private=True, total_timeout=0.3
        )
    assert caught.value.problem == PageProblem("timeout")


async def test_connection_refused(client: httpx.AsyncClient):
    # Port 9 (discard) is closed on test machines; the request must fail quickly.
    with pytest.raises(FetchError, match="connect") as caught:
        await fetch_page("http://127.0.0.1:9/", client=client, allow_private=True)
    assert caught.value.problem == PageProblem("unreachable")


def test_decode_body_prefers_header_then_meta_then_detection():
    text = "Привет, мир! Это проверка кодировки страницы."
    assert decode_body(text.encode("koi8-r"), "koi8-r") == text
    meta = f'<meta charset="windows-1251"><p>{text}</p>'.encode("cp1251")
    assert text in decode_body(meta)
    equiv = (
        f'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><p>{text}</p>'
    ).encode("koi8-r")
    assert text in decode_body(equiv)
    assert decode_body("café".encode()) == "café"
    assert decode_body(b"\xef\xbb\xbfplain", "latin-1") == "plain"
    # An unknown declared charset is ignored and detection takes over.
    assert decode_body(CP1251, "no-such-charset") == CP1251.decode("cp1251")
