"""Comments through the real bot: replies, the Comment prompt, lists, bad input, tampering."""

from __future__ import annotations

from datetime import timedelta

from bot.services.readers.comments import CommentService
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.test_related import publish, subscribe

OTHER_ID = 2002


def comments_of(bot: RunningBot) -> CommentService:
    """The running bot's comment service."""
    assert bot.services.comments is not None
    return bot.services.comments


async def stored(bot: RunningBot, article_id: int) -> list[str]:
    """Texts of every stored comment on an article, any status."""
    rows = await bot.storage.db.fetchall(
        "SELECT text FROM comments WHERE article_id = ? ORDER BY id", (article_id,)
    )
    return [r["text"] for r in rows]


async def delivered_article(
    fake: FakeBotAPI, bot: RunningBot, title: str = "Tram line opens"
) -> tuple[int, SentMessage]:
    """Subscribe the reader, publish an article and return it as delivered."""
    await subscribe(fake)
    article = await publish(bot, title, "The new tram line opened on Sunday with free rides.")
    message = await fake.wait_for_message(READER_ID, predicate=lambda m: title in m.text)
    return article.id, message


async def test_reply_is_stored_as_a_comment_on_that_article(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake)
    first = await publish(bot, "Tram line opens", "The tram line opened with free rides.")
    msg1 = await fake.wait_for_message(READER_ID, predicate=lambda m: "Tram" in m.text)
    second = await publish(bot, "Library extends hours", "The library now opens until ten.")
    await fake.wait_for_message(READER_ID, predicate=lambda m: "Library" in m.text)
    fake.send_text(READER_ID, "Finally! <b>great</b> & fast", reply_to=msg1.message_id)
    confirm = await fake.wait_for_message(READER_ID)
    assert "Thanks" in confirm.text and "Tram line opens" in confirm.text
    assert await stored(bot, first.id) == ["Finally! <b>great</b> & fast"]
    assert await stored(bot, second.id) == []
    row = await bot.storage.db.fetchone("SELECT * FROM comments")
    assert row is not None
    assert (row["user_id"], row["user_name"], row["chat_id"]) == (READER_ID, "Rita", READER_ID)
    assert row["status"] == "visible"
    # The list shows it escaped, as text.
    fake.send_text(READER_ID, "/comments", reply_to=msg1.message_id)
    listing = await fake.wait_for_message(READER_ID)
    assert "Finally! <b>great</b> & fast" in listing.text
    assert "&lt;b&gt;" in listing.raw_text
    fake.assert_no_errors()


async def test_comment_button_prompt_and_reply(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    article_id, message = await delivered_article(fake, bot)
    query = fake.press_button(READER_ID, READER_ID, message.message_id, f"cm:w:{article_id}")
    prompt = await fake.wait_for_message(READER_ID)
    await fake.wait_for_callback_answer(query)
    assert prompt.reply_markup is not None and prompt.reply_markup.get("force_reply") is True
    assert "Tram line opens" in prompt.text
    fake.send_text(READER_ID, "Via the prompt", reply_to=prompt.message_id)
    await fake.wait_for_message(READER_ID, predicate=lambda m: "Thanks" in m.text)
    assert await stored(bot, article_id) == ["Via the prompt"]
    # The prompt mapping lives in SQLite: it survives a restart.
    await bot.stop()
    restarted = await start_bot()
    fake.send_text(READER_ID, "After restart", reply_to=prompt.message_id)
    await fake.wait_for_message(READER_ID, predicate=lambda m: "Thanks" in m.text)
    assert await stored(restarted, article_id) == ["Via the prompt", "After restart"]
    fake.assert_no_errors()


async def test_comment_list_is_paged_newest_first(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    article_id, message = await delivered_article(fake, bot)
    for i in range(7):
        fake.send_text(READER_ID, f"comment number {i}", reply_to=message.message_id)
        await fake.wait_for_message(READER_ID, predicate=lambda m: "Thanks" in m.text)
        bot.clock.advance(timedelta(seconds=20))  # stay under the rate limit
    fake.press_button(READER_ID, READER_ID, message.message_id, f"cm:l:{article_id}")
    page1 = await fake.wait_for_message(READER_ID)
    assert "7 in all" in page1.text and "page 1 of 2" in page1.text
    assert page1.text.index("number 6") < page1.text.index("number 2")
    assert "number 1" not in page1.text
    assert page1.button_data() == [f"cm:p:{article_id}:1"]
    fake.press_button(READER_ID, READER_ID, page1.message_id, f"cm:p:{article_id}:1")
    await fake.wait_until(lambda: "page 2 of 2" in page1.text)  # edited in place
    assert "number 0" in page1.text and "number 6" not in page1.text
    assert page1.button_data() == [f"cm:p:{article_id}:0"]
    fake.assert_no_errors()


async def test_reader_messages_carry_no_comment_count_that_could_go_stale(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    """Chosen: no count on article messages (every copy would be stale after the next
    comment); the list counts only visible comments, hidden ones excluded, after an /edit too."""
    bot = await start_bot()
    article_id, message = await delivered_article(fake, bot)
    assert [b["text"] for b in message.reply_markup["inline_keyboard"][-1]] == [  # type: ignore[index]
        "💬 Comment",
        "🗨 Comments",
        "↗ Share",
    ]
    for text in ("first visible", "to be hidden", "second visible"):
        fake.send_text(READER_ID, text, reply_to=message.message_id)
        await fake.wait_for_message(READER_ID, predicate=lambda m: "Thanks" in m.text)
    notice = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "to be hidden" in m.text)
    hide = next(d for d in notice.button_data() if d.startswith("md:h:"))
    await fake.wait_for_callback_answer(
        fake.press_button(ADMIN_ID, ADMIN_ID, notice.message_id, hide)
    )
    fake.send_text(ADMIN_ID, f"/edit {article_id} title Tram line opens early")
    await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "Updated the title" in m.text)
    assert message.text.startswith("Tram line opens early")  # edited in place
    labels = [b["text"] for row in message.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
    assert "🗨 Comments" in labels and not any(ch.isdigit() for label in labels for ch in label)
    fake.press_button(READER_ID, READER_ID, message.message_id, f"cm:l:{article_id}")
    listing = await fake.wait_for_message(READER_ID, predicate=lambda m: "in all" in m.text)
    assert "2 in all" in listing.text and "to be hidden" not in listing.text
    fake.assert_no_errors()


async def test_bad_comments_are_refused_and_nothing_is_stored(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    article_id, message = await delivered_article(fake, bot)
    fake.send_text(READER_ID, "   ", reply_to=message.message_id)
    assert "needs some text" in (await fake.wait_for_message(READER_ID)).text
    fake.send_text(READER_ID, "x" * 2001, reply_to=message.message_id)
    too_long = await fake.wait_for_message(READER_ID)
    assert "2000" in too_long.text and "2001" in too_long.text
    fake.send_photo(READER_ID, reply_to=message.message_id)
    assert "can't be comments on their own" in (await fake.wait_for_message(READER_ID)).text
    # A sticker as a reply (the fake's send_sticker cannot reply, so build it the same way).
    chat = fake.chats[READER_ID]
    sticker = {"file_id": "S1", "file_unique_id": "uS1", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}  # fmt: skip
    fake._user_message(chat, fake.user(READER_ID).to_dict(), {"sticker": sticker},
                       message.message_id)  # fmt: skip
    assert "can't be comments on their own" in (await fake.wait_for_message(READER_ID)).text
    assert await stored(bot, article_id) == []
    # A caption is a comment.
    fake.send_photo(READER_ID, "Photo from the opening", reply_to=message.message_id)
    await fake.wait_for_message(READER_ID, predicate=lambda m: "Thanks" in m.text)
    assert await stored(bot, article_id) == ["Photo from the opening"]
    fake.assert_no_errors()


async def test_rate_limit_says_when_to_try_again(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    article_id, message = await delivered_article(fake, bot)
    for i in range(5):
        fake.send_text(READER_ID, f"quick {i}", reply_to=message.message_id)
        await fake.wait_for_message(READER_ID, predicate=lambda m: "Thanks" in m.text)
        bot.clock.advance(timedelta(seconds=5))
    fake.send_text(READER_ID, "one too many", reply_to=message.message_id)
    refusal = await fake.wait_for_message(READER_ID)
    # The first of the five was 25 s ago: the window reopens in 35 s.
    assert "5 comments a minute" in refusal.text and "35 seconds" in refusal.text
    assert len(await stored(bot, article_id)) == 5
    bot.clock.advance(timedelta(seconds=36))
    fake.send_text(READER_ID, "now allowed", reply_to=message.message_id)
    await fake.wait_for_message(READER_ID, predicate=lambda m: "Thanks" in m.text)
    assert (await stored(bot, article_id))[-1] == "now allowed"


async def test_comments_sent_at_once_cannot_slip_past_the_rate_limit(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    article_id, message = await delivered_article(fake, bot)
    for i in range(8):  # all queued before the bot handles any of them, handled concurrently
        fake.send_text(READER_ID, f"burst {i}", reply_to=message.message_id)
    answers = [await fake.wait_for_message(READER_ID, timeout=10) for _ in range(8)]
    assert sum("Thanks" in a.text for a in answers) == 5
    assert sum("5 comments a minute" in a.text for a in answers) == 3
    assert len(await stored(bot, article_id)) == 5


async def test_replies_to_other_messages_and_plain_text_get_hints(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    article_id, _ = await delivered_article(fake, bot)
    fake.send_text(READER_ID, "/help")
    help_message = await fake.wait_for_message(READER_ID)
    fake.send_text(READER_ID, "what?", reply_to=help_message.message_id)
    assert "isn't an article" in (await fake.wait_for_message(READER_ID)).text
    own = fake.send_text(READER_ID, "hello bot")
    assert "Reply to an article" in (await fake.wait_for_message(READER_ID)).text
    fake.send_text(READER_ID, "replying to myself", reply_to=own["message_id"])
    assert "Reply to an article" in (await fake.wait_for_message(READER_ID)).text
    # Commands still reach their handlers when they are replies.
    fake.send_text(READER_ID, "/settings", reply_to=help_message.message_id)
    assert "settings" in (await fake.wait_for_message(READER_ID)).text.lower()
    assert await stored(bot, article_id) == []
    fake.assert_no_errors()


async def test_tampered_comment_buttons_are_refused(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.add_user(OTHER_ID, "Otto")
    await subscribe(fake, OTHER_ID)
    article_id, message = await delivered_article(fake, bot)
    others = await fake.wait_for_message(OTHER_ID, predicate=lambda m: "Tram" in m.text)
    fake.send_text(OTHER_ID, "/stop")
    await fake.wait_for_message(OTHER_ID)
    # Only the reader gets the second story: it is foreign to the other chat.
    second = (await publish(bot, "Second story", "Another body text here.")).id
    await fake.wait_for_message(READER_ID, predicate=lambda m: "Second story" in m.text)
    forged = [
        (READER_ID, message.message_id, f"cm:w:{article_id + 1000}"),  # no such article
        (READER_ID, message.message_id, f"cm:w:{second}"),  # not the article this message shows
        (READER_ID, message.message_id, "cm:p:abc:0"),
        (READER_ID, message.message_id, "cm:zz"),
        (READER_ID, message.message_id, f"cm:p:{article_id}:0"),  # not a button of it
        (OTHER_ID, others.message_id, f"cm:w:{second}"),  # never sent to that chat
        (OTHER_ID, others.message_id, f"cm:l:{second}"),
        (OTHER_ID, others.message_id, f"ra:{second}"),
    ]
    for chat_id, message_id, data in forged:
        query = fake.press_button(chat_id, chat_id, message_id, data, forge=True)
        assert (await fake.wait_for_callback_answer(query))["text"] == "This button has expired."
    assert await bot.storage.db.fetchall("SELECT * FROM comment_prompts") == []
    # Nothing was sent or recorded for the other chat.
    shown = await bot.storage.deliveries.messages_of_article(second)
    assert [chat for chat, *_ in shown] == [READER_ID]
    fake.send_text(ADMIN_ID, "/comments 424242")
    assert "no published article" in (await fake.wait_for_message(ADMIN_ID)).text
    fake.assert_no_errors()
