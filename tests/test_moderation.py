"""Comment moderation through the real bot: post and pre modes, bans, admin-only buttons."""

from __future__ import annotations

from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.test_comments import delivered_article, stored

EXPIRED = "This button has expired."


async def comment(
    fake: FakeBotAPI, message: SentMessage, text: str, user_id: int = READER_ID
) -> SentMessage:
    """Reply to an article and return the bot's answer."""
    fake.send_text(user_id, text, reply_to=message.message_id)
    return await fake.wait_for_message(user_id)


async def listing(fake: FakeBotAPI, article_id: int) -> str:
    """What a reader sees with /comments <id>."""
    fake.send_text(READER_ID, f"/comments {article_id}")
    return (await fake.wait_for_message(READER_ID)).text


async def statuses(bot: RunningBot) -> list[str]:
    """Every stored comment's status, oldest first."""
    rows = await bot.storage.db.fetchall("SELECT status FROM comments ORDER BY id")
    return [r["status"] for r in rows]


async def test_post_mode_shows_at_once_and_admin_can_hide(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    article_id, message = await delivered_article(fake, bot)
    answer = await comment(fake, message, "Rude <words>")
    assert "is posted" in answer.text
    notice = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "New comment" in m.text)
    assert "Rude <words>" in notice.text and str(READER_ID) in notice.text
    hide, ban = notice.button_data()
    assert hide.startswith("md:h:") and ban.startswith("md:b:")
    assert "Rude" in await listing(fake, article_id)
    # A reader forging the admin's button changes nothing.
    query = fake.press_button(READER_ID, ADMIN_ID, notice.message_id, hide, forge=True)
    assert "admins" in (await fake.wait_for_callback_answer(query))["text"]
    assert await statuses(bot) == ["visible"]
    query = fake.press_button(ADMIN_ID, ADMIN_ID, notice.message_id, hide)
    await fake.wait_for_callback_answer(query)
    await fake.wait_until(lambda: "Hidden by Ada" in notice.text)
    assert notice.button_data() == []
    assert await statuses(bot) == ["hidden"]
    assert "Rude" not in await listing(fake, article_id)
    fake.assert_no_errors()


async def test_ban_button_hides_and_refuses_later_comments(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    article_id, message = await delivered_article(fake, bot)
    await comment(fake, message, "spam spam")
    notice = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "New comment" in m.text)
    ban = notice.button_data()[1]
    fake.press_button(ADMIN_ID, ADMIN_ID, notice.message_id, ban)
    await fake.wait_until(lambda: "Author banned" in notice.text)
    refused = await comment(fake, message, "more spam")
    assert "can no longer comment" in refused.text
    assert await stored(bot, article_id) == ["spam spam"]  # nothing new stored
    assert await statuses(bot) == ["hidden"]
    fake.send_text(ADMIN_ID, f"/unban {READER_ID}")
    assert "may comment again" in (await fake.wait_for_message(ADMIN_ID)).text
    assert "is posted" in (await comment(fake, message, "sorry")).text
    fake.assert_no_errors()


async def test_ban_commands_are_admin_only_and_validated(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    _, message = await delivered_article(fake, bot)
    fake.send_text(READER_ID, f"/ban {READER_ID}")
    assert "only the publisher's admins" in (await fake.wait_for_message(READER_ID)).text
    assert await bot.storage.db.fetchall("SELECT * FROM banned_users") == []
    fake.send_text(ADMIN_ID, "/ban <someone>")
    usage = await fake.wait_for_message(ADMIN_ID)
    assert "not a user id" in usage.text and "<someone>" in usage.text
    fake.send_text(ADMIN_ID, "/unban 777")
    assert "was not banned" in (await fake.wait_for_message(ADMIN_ID)).text
    fake.send_text(ADMIN_ID, f"/ban {READER_ID}")
    assert "can no longer comment" in (await fake.wait_for_message(ADMIN_ID)).text
    fake.send_text(ADMIN_ID, f"/ban {READER_ID}")
    assert "already banned" in (await fake.wait_for_message(ADMIN_ID)).text
    assert "can no longer comment" in (await comment(fake, message, "hello")).text
    assert await statuses(bot) == []
    fake.assert_no_errors()


async def test_pre_moderation_holds_until_approved(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot(COMMENTS_MODERATION="pre")
    article_id, message = await delivered_article(fake, bot)
    answer = await comment(fake, message, "Worth the wait")
    assert "once a moderator approves" in answer.text
    notice = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "New comment" in m.text)
    approve, reject, _ = notice.button_data()
    assert approve.startswith("md:a:") and reject.startswith("md:r:")
    assert "No comments yet" in await listing(fake, article_id)
    fake.press_button(ADMIN_ID, ADMIN_ID, notice.message_id, approve)
    await fake.wait_until(lambda: "Approved by Ada" in notice.text)
    assert "Worth the wait" in await listing(fake, article_id)
    # A second notice for the same comment is now stale.
    query = fake.press_button(ADMIN_ID, ADMIN_ID, notice.message_id, reject, forge=True)
    assert (await fake.wait_for_callback_answer(query))["text"] == EXPIRED
    assert await statuses(bot) == ["visible"]
    fake.assert_no_errors()


async def test_pre_moderation_reject_and_forged_ids(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot(COMMENTS_MODERATION="pre")
    article_id, message = await delivered_article(fake, bot)
    await comment(fake, message, "Please reject me")
    notice = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "New comment" in m.text)
    for data in ("md:a:99999", "md:x:1", "md:a:", "md:a:1:2"):
        query = fake.press_button(ADMIN_ID, ADMIN_ID, notice.message_id, data, forge=True)
        assert (await fake.wait_for_callback_answer(query))["text"] == EXPIRED
    assert await statuses(bot) == ["pending"]
    fake.press_button(ADMIN_ID, ADMIN_ID, notice.message_id, notice.button_data()[1])
    await fake.wait_until(lambda: "Rejected by Ada" in notice.text)
    assert await statuses(bot) == ["hidden"]
    assert "No comments yet" in await listing(fake, article_id)
    fake.assert_no_errors()
