"""Finding the number for ADMIN_IDS: /id answers anyone, and a refusal carries the id."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import ADMIN_ID, READER_ID, BotFactory
from tests.fakes.botapi import FakeBotAPI

GROUP_ID = -100_555
NEWCOMER = 7_654_321


async def test_id_answers_anyone_with_their_id_and_the_chats(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    await start_bot()
    fake.add_user(NEWCOMER, "Nina")  # never subscribed, not an admin
    fake.send_text(NEWCOMER, "/id")
    answer = await fake.wait_for_message(NEWCOMER)
    assert f"Your Telegram user id: {NEWCOMER}" in answer.text
    assert f"This chat's id: {NEWCOMER}" in answer.text
    assert "ADMIN_IDS" in answer.text
    assert f"<code>{NEWCOMER}</code>" in answer.raw_text  # one tap copies it
    fake.add_group(GROUP_ID, "Newsroom", admins=(READER_ID,))
    fake.send_text(READER_ID, "/id", chat_id=GROUP_ID)
    in_group = await fake.wait_for_message(GROUP_ID)
    assert f"user id: {READER_ID}" in in_group.text and f"chat's id: {GROUP_ID}" in in_group.text
    fake.send_text(READER_ID, "/id", chat_id=GROUP_ID, anonymous=True)
    anonymous = await fake.wait_for_message(GROUP_ID)
    assert "anonymously" in anonymous.text and f"chat's id: {GROUP_ID}" in anonymous.text
    fake.send_text(ADMIN_ID, "/id")
    assert "one of this bot's admins" in (await fake.wait_for_message(ADMIN_ID)).text
    fake.send_text(NEWCOMER, "/help")
    assert "/id" in (await fake.wait_for_message(NEWCOMER)).text
    fake.assert_no_errors()


async def test_refusal_gives_the_id_and_the_log_names_it(
    fake: FakeBotAPI, start_bot: BotFactory, caplog: pytest.LogCaptureFixture
) -> None:
    await start_bot()
    fake.add_user(NEWCOMER, "Nina")
    with caplog.at_level(logging.WARNING):
        fake.send_text(NEWCOMER, "/stats")
        refused = await fake.wait_for_message(NEWCOMER)
    assert "only the publisher's admins" in refused.text
    assert f"Your Telegram user id is {NEWCOMER}" in refused.text
    assert "ADMIN_IDS" in refused.text
    assert any(
        f"user id {NEWCOMER}" in r.getMessage() and "/stats" in r.getMessage()
        for r in caplog.records
    )
    fake.assert_no_errors()


async def test_refused_button_answer_carries_the_id(
    fake: FakeBotAPI, start_bot: BotFactory, caplog: pytest.LogCaptureFixture
) -> None:
    await start_bot()
    fake.send_text(READER_ID, "/start")
    welcome = await fake.wait_for_message(READER_ID)
    with caplog.at_level(logging.WARNING):
        query = fake.press_button(READER_ID, READER_ID, welcome.message_id, "uw:y:1", forge=True)
        answer = await fake.wait_for_callback_answer(query)
    assert f"your user id: {READER_ID}" in str(answer["text"])
    assert "ADMIN_IDS" in str(answer["text"])
    assert any(f"user id {READER_ID}" in r.getMessage() for r in caplog.records)
    fake.assert_no_errors()
