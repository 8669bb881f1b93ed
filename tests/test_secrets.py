"""The bot token never reaches logs or error output, even at DEBUG and when things fail;
`.env` (where the token lives) is never committed."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import ADMIN_ID, READER_ID, running_fake
from tests.fakes.botapi import FakeBotAPI

# Shaped like a real token, so both the exact match and the token pattern are exercised.
TOKEN = "7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw4"
SECRET = TOKEN.split(":", 1)[1]
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
async def real_fake() -> AsyncIterator[FakeBotAPI]:
    """A fake Bot API that knows the realistic token."""
    async with running_fake(token=TOKEN) as api:
        yield api


async def _spawn(tmp_path: Path, api_url: str, token: str = TOKEN) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "ADMIN_IDS": str(ADMIN_ID),
        "LOG_LEVEL": "DEBUG",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,  # no stray .env from the developer's checkout
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _output(process: asyncio.subprocess.Process, timeout: float) -> str:
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    return out.decode(errors="replace") + err.decode(errors="replace")


async def _exited(process: asyncio.subprocess.Process, timeout: float = 60) -> str:
    """Everything a bot that is expected to give up by itself printed."""
    try:
        return await _output(process, timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise


async def _stopped(process: asyncio.subprocess.Process) -> str:
    """Stop a running bot like systemd does; return everything it printed."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    return await _output(process, 20)


def _assert_no_token(output: str) -> None:
    assert output, "the bot printed nothing: the scan would prove nothing"
    assert SECRET not in output, _around(output, SECRET)
    assert TOKEN.split(":", 1)[0] + ":" + SECRET[:8] not in output


def _around(output: str, needle: str) -> str:
    at = output.find(needle)
    return output[max(0, at - 400) : at + 200]


async def test_unreachable_api_does_not_print_the_token(tmp_path: Path) -> None:
    # Port 9 on loopback: connection refused, a network failure on the very first call.
    process = await _spawn(tmp_path, "http://127.0.0.1:9/bot")
    output = await _exited(process)
    assert process.returncode != 0
    _assert_no_token(output)


async def test_rejected_token_is_not_printed(tmp_path: Path) -> None:
    async with FakeBotAPI(token="999:SERVER-KNOWS-ANOTHER-TOKEN") as api:
        process = await _spawn(tmp_path, api.base_url)
        output = await _exited(process)
    assert process.returncode != 0, output[-2000:]
    assert "401" in output or "rejected" in output.lower() or "unauthorized" in output.lower()
    _assert_no_token(output)


async def test_failures_while_running_do_not_print_the_token(
    real_fake: FakeBotAPI, tmp_path: Path
) -> None:
    fake = real_fake
    process = await _spawn(tmp_path, fake.base_url)
    try:
        await fake.wait_until(lambda: bool(fake.commands), timeout=20, what="bot started")
        fake.send_text(READER_ID, "/start")
        await fake.wait_for_message(READER_ID, timeout=10)
        # A handler fails: its reply is refused, then the connection drops on the apology.
        fake.fail_next("sendMessage", 400, description="Bad Request: chat not found")
        fake.fail_next("sendMessage", kind="drop")
        fake.send_text(READER_ID, "/help")
        # getUpdates errors: a 500, then a dropped connection.
        fake.fail_next("getUpdates", 500)
        fake.fail_next("getUpdates", kind="drop")
        await fake.wait_until(lambda: len(fake.faults) >= 4, timeout=20, what="faults hit")
        fake.send_text(READER_ID, "/help")
        await fake.wait_for_message(READER_ID, predicate=lambda m: "/start" in m.text, timeout=20)
    finally:
        output = await _stopped(process)
    assert "bot.handlers.errors: update" in output, output[-3000:]  # the handler failure
    assert "<token>" in output  # token-bearing text was produced, and masked
    assert "getUpdates" in output or "getupdates" in output.lower()
    _assert_no_token(output)


def test_dotenv_is_git_ignored() -> None:
    git = shutil.which("git")
    if git is not None and (REPO / ".git").exists():
        result = subprocess.run(
            [git, "check-ignore", "--no-index", "-q", ".env"], cwd=REPO, check=False
        )
        assert result.returncode == 0, ".env is not ignored by git"
        tracked = subprocess.run(
            [git, "ls-files", "--error-unmatch", ".env"],
            cwd=REPO,
            check=False,
            capture_output=True,
        )
        assert tracked.returncode != 0, ".env is committed"
    lines = {line.strip() for line in (REPO / ".gitignore").read_text().splitlines()}
    assert lines & {".env", "/.env", ".env*", "*.env"}, ".env missing from .gitignore"
