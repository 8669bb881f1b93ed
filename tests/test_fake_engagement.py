"""The fake Bot API's reactions, inline queries and photos are as strict as Telegram."""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fakes import FakeBotAPI

USER = 1001


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        server.add_user(USER, "Ann", "ann")
        yield server


@pytest.fixture
async def client(fake: FakeBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{fake.base_url}{fake.token}/", timeout=5) as http:
        yield http


def png(width: int, height: int) -> bytes:
    """A minimal valid PNG of this size (one grey row repeated)."""
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def article(result_id: str, text: str = "<b>Hello</b>", **extra: Any) -> dict[str, Any]:
    """An InlineQueryResultArticle as JSON."""
    return {
        "type": "article",
        "id": result_id,
        "title": "Title",
        "input_message_content": {"message_text": text, "parse_mode": "HTML"},
        **extra,
    }


async def answer(client: httpx.AsyncClient, query_id: str, results: list[Any]) -> httpx.Response:
    """Call answerInlineQuery."""
    return await client.post(
        "answerInlineQuery", data={"inline_query_id": query_id, "results": json.dumps(results)}
    )


@pytest.mark.parametrize(
    ("results", "error"),
    [
        ([article(str(i)) for i in range(51)], "RESULTS_TOO_MUCH"),
        ([article("x" * 65)], "RESULT_ID_INVALID"),
        ([article("")], "RESULT_ID_INVALID"),
        ([article("a"), article("a")], "RESULT_ID_DUPLICATE"),
        ([article("a", "<b>unclosed")], "can't parse entities"),
        ([article("a", "x" * 4097)], "message is too long"),
        ([{**article("a"), "title": " "}], "RESULT_TITLE_EMPTY"),
        ([article("a", reply_markup={"inline_keyboard": [[{"text": "t"}]]})], "Text buttons"),
        ([{"type": "photo", "id": "p"}], "article results only"),
    ],
)
async def test_answer_inline_query_is_validated(
    fake: FakeBotAPI, client: httpx.AsyncClient, results: list[Any], error: str
) -> None:
    query_id = fake.inline_query(USER, "tram")
    reply = await answer(client, query_id, results)
    assert reply.status_code == 400
    assert error in reply.json()["description"]
    # The query can still be answered properly, once.
    good = await answer(client, query_id, [article(str(i)) for i in range(50)])
    assert good.status_code == 200, good.text
    again = await answer(client, query_id, [])
    assert again.status_code == 400 and "query is too old" in again.json()["description"]
    assert len(fake.inline_answers[query_id]["results"]) == 50


async def test_unknown_inline_query_is_refused(client: httpx.AsyncClient) -> None:
    reply = await answer(client, "nope", [])
    assert reply.status_code == 400


async def test_reactions_are_opt_in_updates(fake: FakeBotAPI, client: httpx.AsyncClient) -> None:
    sent = await client.post("sendMessage", data={"chat_id": USER, "text": "Hi"})
    message_id = sent.json()["result"]["message_id"]
    fake.react(USER, USER, message_id, ["👍"])
    plain = await client.post("getUpdates", data={"timeout": 0})
    assert plain.json()["result"] == []  # not asked for: Telegram drops it
    fake.react(USER, USER, message_id, ["❤"])
    asked = await client.post(
        "getUpdates", data={"timeout": 0, "allowed_updates": json.dumps(["message_reaction"])}
    )
    (update,) = asked.json()["result"]
    change = update["message_reaction"]
    assert change["old_reaction"] == [{"type": "emoji", "emoji": "👍"}]
    assert change["new_reaction"] == [{"type": "emoji", "emoji": "❤"}]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"not an image at all", "IMAGE_PROCESS_FAILED"),
        (b"\xff\xd8 a jpeg header and nothing else", "IMAGE_PROCESS_FAILED"),
        (png(9_000, 1_500), "PHOTO_INVALID_DIMENSIONS"),
        (png(2_100, 100), "PHOTO_INVALID_DIMENSIONS"),
    ],
)
async def test_send_photo_wants_a_real_image_of_sane_size(
    client: httpx.AsyncClient, data: bytes, error: str
) -> None:
    reply = await client.post(
        "sendPhoto", data={"chat_id": str(USER)}, files={"photo": ("c.png", io.BytesIO(data))}
    )
    assert reply.status_code == 400
    assert error in reply.json()["description"]


async def test_send_photo_takes_a_png(fake: FakeBotAPI, client: httpx.AsyncClient) -> None:
    reply = await client.post(
        "sendPhoto",
        data={"chat_id": str(USER), "caption": "<b>Chart</b>", "parse_mode": "HTML"},
        files={"photo": ("c.png", io.BytesIO(png(800, 600)))},
    )
    assert reply.status_code == 200, reply.text
    (sent,) = fake.messages(USER)
    assert sent.method == "sendPhoto" and sent.caption == "Chart"
