"""End to end: the bot polls the fake Bot API exactly as `newsbot run` does."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import RunOptions, serve
from bot.config import ConfigError
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, make_settings
from tests.fakes.botapi import FakeBotAPI


async def test_start_subscribes_and_welcomes(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    fake.send_text(READER_ID, "/start")
    welcome = await fake.wait_for_message(READER_ID)
    assert "Welcome" in welcome.text
    assert "/settings" in welcome.text
    sub = await bot.services.subscriptions.get(READER_ID)
    assert sub is not None and sub.status == "active" and sub.mode == "instant"
    fake.assert_no_errors()


async def test_help_lists_commands_and_admin_extras(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    await start_bot()
    fake.send_text(READER_ID, "/help")
    reader_help = await fake.wait_for_message(READER_ID)
    fake.send_text(ADMIN_ID, "/help")
    admin_help = await fake.wait_for_message(ADMIN_ID)
    assert "/settings" in reader_help.text and "/publish" not in reader_help.text
    assert "/publish" in admin_help.text and "/stats" in admin_help.text


async def test_unknown_command_gets_a_hint(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    await start_bot()
    fake.send_text(READER_ID, "/frobnicate <now>")
    answer = await fake.wait_for_message(READER_ID)
    assert "/frobnicate" in answer.text and "/help" in answer.text


async def test_commands_menu_is_set(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    await start_bot()
    commands = [r for r in fake.requests if r.method.lower() == "setmycommands"]
    assert commands, "setMyCommands was not called"


async def test_rejected_token_is_a_configuration_error(fake: FakeBotAPI, tmp_path: Path) -> None:
    settings = make_settings(fake, tmp_path / "bot.db", TELEGRAM_BOT_TOKEN="999:WRONG-TOKEN")
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN") as caught:
        await serve(settings, asyncio.Event())
    assert "WRONG-TOKEN" not in str(caught.value)


async def test_a_token_revoked_while_running_stops_the_bot_clearly(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    settings = make_settings(fake, tmp_path / "bot.db")
    ready = asyncio.Event()
    options = RunOptions(poll_timeout=1, token_check_seconds=0.2)
    task = asyncio.create_task(
        serve(settings, asyncio.Event(), options, on_ready=lambda app: ready.set())
    )
    await asyncio.wait_for(ready.wait(), 10)
    fake.token = "999:REVOKED"  # from now on the Bot API answers 401 to the old token
    with pytest.raises(ConfigError, match="revoked"):
        await asyncio.wait_for(task, 15)


async def test_texts_carry_the_publishers_name(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot(BOT_NAME="The Harbour <Ledger>")
    fake.send_text(READER_ID, "/start")
    assert "Welcome to The Harbour <Ledger>!" in (await fake.wait_for_message(READER_ID)).text
    fake.send_text(READER_ID, "/help")
    help_text = await fake.wait_for_message(READER_ID)
    assert help_text.text.startswith("The Harbour <Ledger> brings you our articles")
    assert "newsbot" not in help_text.text.lower()
    await bot.stop()
    # Without BOT_NAME the bot's own Telegram name is used (the fake's bot is "NewsBot").
    await start_bot()
    fake.send_text(READER_ID, "/help")
    assert (await fake.wait_for_message(READER_ID)).text.startswith("NewsBot brings you")
    fake.assert_no_errors()
