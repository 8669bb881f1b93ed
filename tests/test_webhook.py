"""`newsbot run` with WEBHOOK_URL: PTB's webhook server, guarded by the secret token."""

from __future__ import annotations

import json
import socket

import httpx

from tests.conftest import READER_ID, BotFactory
from tests.fakes.botapi import FakeBotAPI

SECRET = "s3cret-token_for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_answers_updates_with_the_secret_only(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    port = free_port()
    await start_bot(
        WEBHOOK_URL="https://news.example.test/tg/hook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    assert fake.webhook_url == "https://news.example.test/tg/hook"
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": READER_ID, "type": "private", "first_name": "Rita"},
            "from": {"id": READER_ID, "is_bot": False, "first_name": "Rita"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    url = f"http://127.0.0.1:{port}/tg/hook"
    headers = {"Content-Type": "application/json"}
    async with httpx.AsyncClient() as client:
        forged = await client.post(url, content=json.dumps(update), headers=headers)
        assert forged.status_code == 403
        genuine = await client.post(
            url,
            content=json.dumps(update),
            headers={**headers, "X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert genuine.status_code == 200
    answer = await fake.wait_for_message(READER_ID)
    assert "/settings" in answer.text
