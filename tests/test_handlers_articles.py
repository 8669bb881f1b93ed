"""/articles, /unpublish and /edit through the fake Bot API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage

BODY = (
    "The council met on Tuesday evening and agreed a plan for the old harbour wall. "
    "Work starts in spring and should take about six months, the engineers said."
)
DIGEST_READER = 2002


def is_preview(msg: SentMessage) -> bool:
    return any(data.startswith("pb:now:") for data in msg.button_data())


async def draft(fake: FakeBotAPI, title: str) -> tuple[SentMessage, int]:
    fake.send_text(ADMIN_ID, f"/publish {title}\n{BODY} {title}.")
    msg = await fake.wait_for_message(ADMIN_ID, predicate=is_preview)
    data = next(d for d in msg.button_data() if d.startswith("pb:now:"))
    return msg, int(data.rsplit(":", 1)[1])


async def press(fake: FakeBotAPI, msg: SentMessage, action: str, article_id: int) -> None:
    query = fake.press_button(ADMIN_ID, ADMIN_ID, msg.message_id, f"pb:{action}:{article_id}")
    await fake.wait_for_callback_answer(query)


async def publish(fake: FakeBotAPI, title: str) -> int:
    msg, article_id = await draft(fake, title)
    await press(fake, msg, "now", article_id)
    return article_id


async def recorded(bot: RunningBot, article_id: int) -> None:
    """Wait until the engine has recorded the delivery (it does so after Telegram answers)."""
    for _ in range(250):
        if (await bot.storage.deliveries.counts(article_id)).sent:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("delivery not recorded")


async def admin_says(fake: FakeBotAPI, text: str, expect: str) -> SentMessage:
    fake.send_text(ADMIN_ID, text)
    return await fake.wait_for_message(ADMIN_ID, predicate=lambda m: expect in m.text, timeout=10)


async def ask_to_withdraw(fake: FakeBotAPI, article_id: int) -> SentMessage:
    """/unpublish: the confirmation question with its two buttons."""
    fake.send_text(ADMIN_ID, f"/unpublish {article_id}")
    return await fake.wait_for_message(
        ADMIN_ID, predicate=lambda m: f"uw:y:{article_id}" in m.button_data(), timeout=10
    )


async def withdraw(fake: FakeBotAPI, article_id: int, expect: str) -> SentMessage:
    """/unpublish and confirm; the confirmation message becomes the result."""
    question = await ask_to_withdraw(fake, article_id)
    query = fake.press_button(ADMIN_ID, ADMIN_ID, question.message_id, f"uw:y:{article_id}")
    await fake.wait_for_callback_answer(query)
    await fake.wait_until(lambda: expect in question.text, what=f"{expect!r} in the result")
    assert not question.button_data()
    return question


async def test_articles_lists_scheduled_and_published_in_admin_zone(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    await start_bot(TIMEZONE="Asia/Tashkent")
    await publish(fake, "Ferry timetable")
    msg, later = await draft(fake, "Pier <reopens>")
    await press(fake, msg, "h1", later)
    listing = await admin_says(fake, "/articles", "Articles")
    assert listing.text.index(f"#{later}") < listing.text.index("Ferry timetable")
    assert "Pier <reopens>" in listing.text and "scheduled" in listing.text
    assert "30 Nov 2026 15:00 +05" in listing.text  # 10:00 UTC in Tashkent
    fake.send_text(READER_ID, "/articles")
    assert "admins" in (await fake.wait_for_message(READER_ID)).text
    fake.assert_no_errors()


async def test_unpublish_deletes_recent_and_marks_old_messages(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    bot = await start_bot(clock=clock)
    fake.send_text(READER_ID, "/start")
    await fake.wait_for_message(READER_ID)
    old_id = await publish(fake, "Old story")
    old_msg = await fake.wait_for_message(READER_ID)
    await recorded(bot, old_id)
    # Two days later Telegram no longer lets the bot delete that message.
    clock.advance(timedelta(hours=49))
    fake.age_message(READER_ID, old_msg.message_id, 49)
    new_id = await publish(fake, "New story")
    new_msg = await fake.wait_for_message(READER_ID)
    question = await ask_to_withdraw(fake, new_id)
    assert "New story" in question.text and "1 reader's message will be deleted" in question.text
    assert not fake.bot_message(READER_ID, new_msg.message_id).deleted  # nothing before yes
    answer = await withdraw(fake, new_id, "Withdrew")
    assert "Messages deleted: 1" in answer.text
    assert fake.bot_message(READER_ID, new_msg.message_id).deleted
    question = await ask_to_withdraw(fake, old_id)
    assert "1 message older than 48 hours will be edited" in question.text
    answer = await withdraw(fake, old_id, "Withdrew")
    assert "marked as withdrawn: 1" in answer.text
    kept = fake.bot_message(READER_ID, old_msg.message_id)
    assert not kept.deleted and "withdrawn" in kept.text and not kept.button_data()
    again = await admin_says(fake, f"/unpublish {old_id}", "already withdrawn")
    assert again is not None
    article = await bot.storage.articles.get(old_id)
    assert article is not None and article.status == "withdrawn"
    fake.assert_no_errors()


async def test_unpublish_a_scheduled_article_stops_it(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    bot = await start_bot(clock=clock)
    fake.send_text(READER_ID, "/start")
    await fake.wait_for_message(READER_ID)
    msg, article_id = await draft(fake, "Later story")
    await press(fake, msg, "h1", article_id)
    question = await ask_to_withdraw(fake, article_id)
    assert "Cancel the scheduled article" in question.text and "not been sent" in question.text
    answer = await withdraw(fake, article_id, "Cancelled the scheduled article")
    assert "never sent" in answer.text and "Messages deleted" not in answer.text
    clock.advance(timedelta(hours=2))
    assert await bot.services.publishing.publish_due() == []
    assert len(fake.messages(READER_ID)) == 1  # only the welcome
    fake.send_text(READER_ID, "/unpublish 1")
    assert "admins" in (await fake.wait_for_message(READER_ID)).text
    for bad in ("/unpublish", "/unpublish abc"):
        await admin_says(fake, bad, "Withdraw an article: /unpublish 12")
    await admin_says(fake, "/unpublish 999", "There is no article #999")
    await admin_says(fake, f"/unpublish {article_id}", "cancelled before its time")
    listing = await admin_says(fake, "/articles", "Articles")
    assert "cancelled, never sent" in listing.text
    stats = await admin_says(fake, "/stats", "Subscribers")
    assert f"#{article_id} Later story (✖ cancelled, never sent)" in stats.text


async def test_edit_title_and_summary_updates_sent_messages(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.send_text(READER_ID, "/start")
    await fake.wait_for_message(READER_ID)
    article_id = await publish(fake, "Harbour wall agred")
    sent = await fake.wait_for_message(READER_ID)
    answer = await admin_says(fake, f"/edit {article_id} title Harbour wall <agreed>", "Updated")
    assert "Messages updated: 1" in answer.text
    assert "Harbour wall <agreed>" in fake.bot_message(READER_ID, sent.message_id).text
    await admin_says(
        fake, f"/edit {article_id} summary Corrected: the work takes a year.", "Updated"
    )
    edited = fake.bot_message(READER_ID, sent.message_id)
    assert "Corrected: the work takes a year." in edited.text
    article = await bot.storage.articles.get(article_id)
    assert article is not None and article.title == "Harbour wall <agreed>"
    answer = await admin_says(fake, f"/edit {article_id} body New body", "title or the summary")
    assert "/edit" in answer.text
    answer = await admin_says(fake, "/edit 999 title X", "no article #999")
    assert answer is not None
    fake.assert_no_errors()


async def test_digest_messages_are_left_alone_and_said_so(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await start_bot(clock=clock)
    fake.add_user(DIGEST_READER, "Dora")
    fake.send_text(DIGEST_READER, "/start")
    await fake.wait_for_message(DIGEST_READER)
    fake.send_text(DIGEST_READER, "/settings digest 10")
    await fake.wait_for_message(DIGEST_READER)
    article_id = await publish(fake, "Digest story")
    clock.set(datetime(2026, 11, 30, 10, 0, 1, tzinfo=UTC))
    digest = await fake.wait_for_message(DIGEST_READER, timeout=10)
    assert "Digest story" in digest.text
    question = await ask_to_withdraw(fake, article_id)
    assert "1 daily digest listing it will stay" in question.text
    answer = await withdraw(fake, article_id, "Withdrew")
    assert "1 daily digest" in answer.text
    assert not fake.bot_message(DIGEST_READER, digest.message_id).deleted


async def test_unpublish_asks_first_and_keep_it_changes_nothing(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.send_text(READER_ID, "/start")
    await fake.wait_for_message(READER_ID)
    article_id = await publish(fake, "Kept story")
    delivered = await fake.wait_for_message(READER_ID)
    await recorded(bot, article_id)
    question = await ask_to_withdraw(fake, article_id)
    assert f"#{article_id}" in question.text and "Kept story" in question.text
    assert "published" in question.text and "cannot be undone" in question.text
    query = fake.press_button(ADMIN_ID, ADMIN_ID, question.message_id, f"uw:n:{article_id}")
    await fake.wait_for_callback_answer(query)
    await fake.wait_until(lambda: "nothing changed" in question.text, what="kept")
    assert not question.button_data()
    assert not fake.bot_message(READER_ID, delivered.message_id).deleted
    article = await bot.storage.articles.get(article_id)
    assert article is not None and article.status == "published"
    stats = await admin_says(fake, "/stats", "Subscribers")
    assert f"#{article_id} Kept story (✅ published, " in stats.text
    await withdraw(fake, article_id, "Withdrew")
    stats = await admin_says(fake, "/stats", "Subscribers")
    assert f"#{article_id} Kept story (🗑 withdrawn, " in stats.text
    listing = await admin_says(fake, "/articles", "Articles")
    assert f"#{article_id} 🗑 withdrawn" in listing.text
    # Asking again is answered at once: there is nothing left to confirm.
    again = await admin_says(fake, f"/unpublish {article_id}", "already withdrawn")
    assert not again.button_data()
    fake.assert_no_errors()
