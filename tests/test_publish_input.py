"""/publish with a link, through the bot: private addresses refused before any connection,
endless pages cut at the size cap, and pages in tricky encodings extracted correctly."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from aiohttp import web

from tests.conftest import ADMIN_ID, BotFactory
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.fixtures.hardening import assert_healthy

RU_TITLE = "Городской совет утвердил ремонт старой набережной"
RU_TEXT = (
    "Депутаты городского совета во вторник единогласно утвердили план ремонта набережной. "
    "Работы начнутся весной и продлятся около шести месяцев, сообщили инженеры. "
)
FR_TITLE = "Le café du port rouvre – « naïve » élégance à 5 €"  # noqa: RUF001
FR_TEXT = (
    "Après deux ans de travaux, le café historique du port a rouvert ses portes samedi. "
    "Les habitants ont salué la rénovation, fidèle à l’esprit d’origine, et les prix modérés. "  # noqa: RUF001
)


def page(title: str, text: str, head: str = "") -> str:
    """A news page with enough text for the extractor."""
    # Distinct paragraphs: the extractor drops repeated ones.
    body = "".join(f"<p>{text[i * 7 :]}{text[: i * 7]} ({i})</p>" for i in range(4))
    return (
        f"<html><head>{head}<title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>{title}</h1>{body}</article><footer>Footer</footer></body></html>"
    )


class RawSite:
    """Pages with exact Content-Type headers (or none), and a page that never ends."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.hits: list[str] = []
        self.endless_sent = 0
        self.endless_finished = False
        self.base = ""

    def url(self, path: str) -> str:
        return self.base + path

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits.append(request.path)
        if request.path == "/endless":
            return await self._endless(request)
        content_type, body = self.pages[request.path]
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type  # verbatim: no charset added
        return response

    async def _endless(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
        await response.prepare(request)
        head = page(FR_TITLE, FR_TEXT).replace("</article>", "").encode()
        filler = b"<p>" + b"More words that go on and on for ever. " * 100 + b"</p>\n"
        try:
            await response.write(head)
            while self.endless_sent < 200_000_000:  # 200 MB: far beyond any cap
                await response.write(filler)
                self.endless_sent += len(filler)
        except (ConnectionError, asyncio.CancelledError):
            return response
        self.endless_finished = True
        return response


@pytest.fixture
async def raw_site() -> AsyncIterator[RawSite]:
    site = RawSite()
    app = web.Application()
    app.router.add_get("/{tail:.*}", site.handle)
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    site.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield site
    finally:
        await runner.cleanup()


@pytest.fixture
async def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host the process connects to; anything but loopback is blocked, not sent."""
    loop = asyncio.get_running_loop()
    seen: list[str] = []
    real: Callable[..., Any] = loop.create_connection

    async def spy(*args: Any, **kwargs: Any) -> Any:
        host = str(kwargs.get("host", args[1] if len(args) > 1 else ""))
        seen.append(host)
        if host and not ipaddress.ip_address(host.strip("[]")).is_loopback:
            raise OSError(f"test blocked a connection to {host}")
        return await real(*args, **kwargs)

    monkeypatch.setattr(loop, "create_connection", spy)
    return seen


async def ask(fake: FakeBotAPI, text: str, timeout: float = 15) -> SentMessage:
    fake.send_text(ADMIN_ID, text)
    return await fake.wait_for_message(ADMIN_ID, timeout=timeout)


def is_preview(message: SentMessage) -> bool:
    return any(d.startswith("pb:now:") for d in message.button_data())


async def test_private_addresses_are_refused_before_connecting(
    fake: FakeBotAPI,
    start_bot: BotFactory,
    raw_site: RawSite,
    connections: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await start_bot(ALLOW_PRIVATE_URLS="false")
    raw_site.pages["/page"] = ("text/html; charset=utf-8", page(FR_TITLE, FR_TEXT).encode())
    port = raw_site.base.rsplit(":", 1)[1]
    before = list(connections)
    for url in (
        raw_site.url("/page"),
        f"http://localhost:{port}/page",
        f"http://[::1]:{port}/page",
        f"http://127.1:{port}/page",
        f"http://2130706433:{port}/page",  # 127.0.0.1 as one number
        f"http://[::ffff:127.0.0.1]:{port}/page",
        "http://10.0.0.1/page",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://0.0.0.0/",
    ):
        answer = await ask(fake, f"/publish {url}")
        assert "private network" in answer.text, (url, answer.text)
    assert raw_site.hits == []
    # The bot's only connections were to the fake Bot API; nothing tried a private address.
    assert all(host in ("127.0.0.1", "") for host in connections[len(before) :]), connections
    # The spy is live: a fetch the bot is allowed to make shows up in it.
    seen = len(connections)
    async with httpx.AsyncClient() as client:
        await client.get(raw_site.url("/page"))
    assert connections[seen:] == ["127.0.0.1"]
    assert_healthy(fake, caplog)


async def test_endless_page_is_cut_at_the_size_cap(
    fake: FakeBotAPI, start_bot: BotFactory, raw_site: RawSite, caplog: pytest.LogCaptureFixture
) -> None:
    await start_bot()
    answer = await ask(fake, f"/publish {raw_site.url('/endless')}", timeout=30)
    assert is_preview(answer), answer.text
    assert FR_TITLE in answer.text
    assert not raw_site.endless_finished
    assert raw_site.endless_sent < 20_000_000  # the bot hung up near its 2 MB cap
    assert_healthy(fake, caplog)


ENCODED = [
    # (path, Content-Type, body, expected title, expected words)
    ("/cp1251", "text/html", page(RU_TITLE, RU_TEXT).encode("cp1251"), RU_TITLE, "единогласно"),
    ("/cp1252", "text/html", page(FR_TITLE, FR_TEXT).encode("cp1252"), FR_TITLE, "l’esprit"),  # noqa: RUF001
    (
        "/latin1-label",  # labelled ISO-8859-1, really windows-1252 (as browsers assume)
        "text/html; charset=ISO-8859-1",
        page(FR_TITLE, FR_TEXT).encode("cp1252"),
        FR_TITLE,
        "rénovation",
    ),
    (
        "/utf8-wrong-meta",  # the HTTP header (right) overrides the page's meta (wrong)
        "text/html; charset=utf-8",
        page(RU_TITLE, RU_TEXT, '<meta charset="windows-1252">').encode(),
        RU_TITLE,
        "инженеры",
    ),
    (
        "/utf8-bogus-label",  # a label no codec knows: fall back to UTF-8, not mojibake
        "text/html; charset=utf8mb4",
        page(FR_TITLE, FR_TEXT).encode(),
        FR_TITLE,
        "prix modérés",
    ),
]


@pytest.mark.parametrize(
    ("path", "content_type", "body", "title", "words"), ENCODED, ids=[e[0] for e in ENCODED]
)
async def test_pages_in_tricky_encodings(
    fake: FakeBotAPI,
    start_bot: BotFactory,
    raw_site: RawSite,
    caplog: pytest.LogCaptureFixture,
    path: str,
    content_type: str,
    body: bytes,
    title: str,
    words: str,
) -> None:
    bot = await start_bot()
    raw_site.pages[path] = (content_type, body)
    answer = await ask(fake, f"/publish {raw_site.url(path)}")
    assert is_preview(answer), answer.text
    assert title in answer.text
    article_id = int(next(d for d in answer.button_data() if d.startswith("pb:now:"))[7:])
    article = await bot.storage.articles.get(article_id)
    assert article is not None
    assert article.title == title
    assert words in article.body
    assert "\ufffd" not in article.body + article.title
    assert_healthy(fake, caplog)
