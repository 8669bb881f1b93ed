"""CHANNEL_ID: published articles are posted in the publisher's channel, edited and withdrawn
there, and replies in its discussion group are comments, all through the real bot and the
fake Bot API (which copies each channel post into the linked group, as Telegram does)."""

from __future__ import annotations

import asyncio
import csv
import io
import logging

import pytest

from bot.__main__ import main
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.helpers import drained, publish, subscribe
from tests.test_handlers_articles import withdraw

CHANNEL = -1001234567890
GROUP = -1009876543210
COMMENTER = 3001
URL = "https://news.example/bridge"


async def channel_post(fake: FakeBotAPI, bot: RunningBot, title: str) -> tuple[int, SentMessage]:
    article = await publish(bot, title, url=URL)
    post = await fake.wait_for_message(CHANNEL)
    await drained(bot)
    return article.id, post


async def admin_says(fake: FakeBotAPI, text: str, expect: str) -> SentMessage:
    fake.send_text(ADMIN_ID, text)
    return await fake.wait_for_message(ADMIN_ID, predicate=lambda m: expect in m.text, timeout=10)


async def test_article_is_posted_edited_and_withdrawn_in_the_channel(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    fake.add_channel(CHANNEL, "City News", "citynews", discussion_id=GROUP)
    bot = await start_bot(CHANNEL_ID="@citynews")
    await subscribe(fake, READER_ID)
    article_id, post = await channel_post(fake, bot, "Bridge opens")
    assert post.text.startswith("Bridge opens") and post.button_data() == []
    reader_msg = await fake.wait_for_message(READER_ID)
    assert reader_msg.button_data()  # readers keep their buttons
    assert (await bot.storage.deliveries.counts(article_id)).sent == 2

    await admin_says(fake, f"/edit {article_id} title Bridge opens on Monday", "Updated")
    assert fake.bot_message(CHANNEL, post.message_id).text.startswith("Bridge opens on Monday")  # type: ignore[union-attr]

    answer = await withdraw(fake, article_id, "Withdrew")
    assert "Messages deleted: 2" in answer.text
    assert fake.bot_message(CHANNEL, post.message_id).deleted  # type: ignore[union-attr]
    fake.assert_no_errors()


async def test_channel_posts_speak_the_channels_language(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    fake.add_channel(CHANNEL, "Городские новости", "citynews")
    bot = await start_bot(CHANNEL_ID="@citynews", CHANNEL_LANGUAGE="ru")
    article_id, post = await channel_post(fake, bot, "Мост открыт")
    assert "Читать статью полностью" in post.text and "30 нояб. 2026" in post.text
    await admin_says(fake, f"/edit {article_id} title Мост открыт в понедельник", "Updated")
    edited = fake.bot_message(CHANNEL, post.message_id)
    assert edited is not None and "Читать статью полностью" in edited.text
    assert edited.text.startswith("Мост открыт в понедельник")
    fake.assert_no_errors()


async def test_channel_by_numeric_id_and_posts_paced_apart(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    fake.add_channel(CHANNEL, "City News")
    bot = await start_bot(CHANNEL_ID=str(CHANNEL))
    await publish(bot, "First", url=URL + "/1")
    await publish(bot, "Second", url=URL + "/2")
    first = await fake.wait_for_message(CHANNEL)
    second = await fake.wait_for_message(CHANNEL, timeout=10)
    # Telegram allows about 20 posts a minute in a channel: posts are 3 s apart.
    assert (second.date - first.date).total_seconds() >= 2.5
    assert {first.text.split("\n")[0], second.text.split("\n")[0]} == {"First", "Second"}
    fake.assert_no_errors()


async def test_discussion_reply_is_a_comment_with_its_source(
    fake: FakeBotAPI, start_bot: BotFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add_channel(CHANNEL, "City News", "citynews", discussion_id=GROUP)
    bot = await start_bot(CHANNEL_ID="@citynews")
    await subscribe(fake, READER_ID)
    article_id, post = await channel_post(fake, bot, "Bridge opens")
    copy_id = fake.discussion_copies[(CHANNEL, post.message_id)]
    fake.add_user(COMMENTER, "Dana")
    fake.send_text(COMMENTER, "Finally, a bridge!", chat_id=GROUP, reply_to=copy_id)
    notice = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "New comment" in m.text)
    assert "Finally, a bridge!" in notice.text and "Dana" in notice.text
    # Chatter in the group is not a comment: a reply to someone else, a post of its own.
    chatter = fake.send_text(READER_ID, "hi", chat_id=GROUP)
    fake.send_text(COMMENTER, "Agreed", chat_id=GROUP, reply_to=chatter["message_id"])
    fake.send_text(COMMENTER, "Nice weather", chat_id=GROUP)

    fake.send_text(READER_ID, f"/comments {article_id}")
    listing = await fake.wait_for_message(READER_ID, predicate=lambda m: "Comments on" in m.text)
    assert "Finally, a bridge!" in listing.text and "1 in all" in listing.text
    assert "Agreed" not in listing.text
    assert fake.messages(GROUP) == []  # a stored comment gets no answer in the group

    await asyncio.to_thread(main, ["export-comments", "--db", str(bot.settings.database_path)])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["text"], r["source"], r["chat_id"]) for r in rows] == [
        ("Finally, a bridge!", "discussion", str(GROUP))
    ]
    fake.assert_no_errors()


async def test_discussion_comments_obey_bans_and_rate_limits(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    fake.add_channel(CHANNEL, "City News", "citynews", discussion_id=GROUP)
    bot = await start_bot(CHANNEL_ID="@citynews", COMMENTS_MODERATION="pre")
    _, post = await channel_post(fake, bot, "Bridge opens")
    copy_id = fake.discussion_copies[(CHANNEL, post.message_id)]
    fake.add_user(COMMENTER, "Dana")
    for i in range(6):
        fake.send_text(COMMENTER, f"Comment {i}", chat_id=GROUP, reply_to=copy_id)
    refusal = await fake.wait_for_message(GROUP)
    assert "5 comments a minute" in refusal.text
    await admin_says(fake, f"/ban {COMMENTER}", "can no longer comment")
    fake.send_text(COMMENTER, "Banned words", chat_id=GROUP, reply_to=copy_id)
    banned = await fake.wait_for_message(GROUP)
    assert "no longer comment" in banned.text
    stored = await bot.storage.db.fetchall("SELECT status, source FROM comments")
    assert [(r["status"], r["source"]) for r in stored] == [("pending", "discussion")] * 5
    fake.assert_no_errors()


@pytest.mark.parametrize(
    ("channel", "status", "can_post", "problem"),
    [
        ("@citynews", "member", True, "not an administrator"),
        ("@citynews", "administrator", False, "may not post"),
        ("@citynews", "left", True, "cannot see it"),
        ("@nosuchchannel", "administrator", True, "cannot see it"),
    ],
)
async def test_a_channel_the_bot_cannot_post_in_is_reported_and_readers_are_served(
    fake: FakeBotAPI,
    start_bot: BotFactory,
    caplog: pytest.LogCaptureFixture,
    channel: str,
    status: str,
    can_post: bool,
    problem: str,
) -> None:
    fake.add_channel(CHANNEL, "City News", "citynews", bot_status=status, can_post=can_post)
    with caplog.at_level(logging.ERROR, logger="bot.handlers.channel"):
        bot = await start_bot(CHANNEL_ID=channel)
    warning = await fake.wait_for_message(ADMIN_ID)
    assert f"CHANNEL_ID {channel}" in warning.text and problem in warning.text
    assert any(problem in r.getMessage() for r in caplog.records)
    await subscribe(fake, READER_ID)
    article = await publish(bot, "Readers still get this")
    assert (await fake.wait_for_message(READER_ID)).text.startswith("Readers still get this")
    await drained(bot)
    assert (await bot.storage.deliveries.counts(article.id)).sent == 1
    assert fake.messages(CHANNEL) == []
    # The only call Telegram refused is the look-up of a channel the bot cannot see.
    assert {r.method for r in fake.rejected} <= {"getChat"}


@pytest.mark.parametrize("can_delete", [True, False])
async def test_hiding_a_discussion_comment_takes_it_out_of_the_group(
    fake: FakeBotAPI, start_bot: BotFactory, caplog: pytest.LogCaptureFixture, can_delete: bool
) -> None:
    fake.add_channel(
        CHANNEL, "City News", "citynews", discussion_id=GROUP, can_delete_comments=can_delete
    )
    bot = await start_bot(CHANNEL_ID="@citynews")
    _, post = await channel_post(fake, bot, "Bridge opens")
    copy_id = fake.discussion_copies[(CHANNEL, post.message_id)]
    fake.add_user(COMMENTER, "Dana")
    spam = fake.send_text(COMMENTER, "Buy cheap watches", chat_id=GROUP, reply_to=copy_id)
    notice = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "New comment" in m.text)
    hide = next(d for d in notice.button_data() if d.startswith("md:h:"))
    with caplog.at_level(logging.WARNING, logger="bot.services.readers.moderation"):
        query = fake.press_button(ADMIN_ID, ADMIN_ID, notice.message_id, hide)
        await fake.wait_for_callback_answer(query)
        await fake.wait_until(lambda: "Hidden by" in notice.text, what="decision noted")
    stored = await bot.storage.db.fetchone("SELECT status FROM comments")
    assert stored is not None and stored["status"] == "hidden"
    gone = fake.user_message(GROUP, spam["message_id"]) is None
    assert gone is can_delete
    if can_delete:
        fake.assert_no_errors()
    else:  # the bot may not delete there: the comment is hidden here, and that is logged
        assert any("not deleted from group" in r.getMessage() for r in caplog.records)
        assert [r.method for r in fake.rejected] == ["deleteMessage"]
