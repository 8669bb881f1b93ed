"""SECTIONS: the publisher's topics, picked on the preview and chosen by readers."""

from __future__ import annotations

import pytest

from bot.services.text.sections import suggest_sections, toggled
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.helpers import drained, publish, subscribe, subscription
from tests.test_previews import draft

SECTIONS = "Politics, Sport, Town Hall"
POLITICS_READER, SPORT_READER = 2002, 2003
BODY = (
    "The rowing club held its regatta on the river on Saturday, and hundreds came to watch. "
    "The mayor handed out the cups after the last race."
)


async def follow(fake: FakeBotAPI, reader: int, topics: str) -> SentMessage:
    fake.send_text(reader, f"/settings topics {topics}")
    return await fake.wait_for_message(reader)


async def press(fake: FakeBotAPI, shown: SentMessage, data: str) -> dict:
    query = fake.press_button(ADMIN_ID, ADMIN_ID, shown.message_id, data)
    return await fake.wait_for_callback_answer(query)


async def recipients(bot: RunningBot, article_id: int) -> set[int]:
    rows = await bot.storage.db.fetchall(
        "SELECT chat_id FROM deliveries WHERE article_id = ?", (article_id,)
    )
    return {r["chat_id"] for r in rows}


async def test_admin_picks_sections_on_the_preview_and_readers_get_theirs(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot(SECTIONS=SECTIONS)
    for reader in (READER_ID, POLITICS_READER, SPORT_READER):
        await subscribe(fake, reader)
    await follow(fake, POLITICS_READER, "politics")
    await follow(fake, SPORT_READER, "Sport")
    # "Sport" is in the headline: suggested (and picked) from the text.
    shown, article_id = await draft(fake, f"Sport: regatta draws a crowd\n{BODY}")
    assert "🏷 Sections: #sport (tap to change)" in shown.text
    toggles = [d for d in shown.button_data() if d.startswith("pb:s:")]
    assert toggles == [f"pb:s:{article_id}:{i}" for i in range(3)]
    assert "reaches 2 readers at once" in shown.text  # everything-reader and sport reader
    answer = await press(fake, shown, f"pb:s:{article_id}:0")  # politics on
    assert answer["text"] == "Sections: politics, sport"
    await fake.wait_until(lambda: "reaches 3 readers at once" in shown.text, what="recount")
    assert "#politics, #sport" in shown.text
    await press(fake, shown, f"pb:s:{article_id}:1")  # sport off
    await fake.wait_until(lambda: "reaches 2 readers at once" in shown.text, what="recount")
    labels = [b["text"] for row in shown.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
    assert labels[:3] == ["✅ #politics", "#sport", "#town_hall"]
    await press(fake, shown, f"pb:now:{article_id}")
    await fake.wait_for_message(POLITICS_READER, predicate=lambda m: "regatta" in m.text)
    await drained(bot)
    assert await recipients(bot, article_id) == {READER_ID, POLITICS_READER}
    article = await bot.storage.articles.get(article_id)
    assert article is not None and set(article.tags) == {"politics"}
    fake.assert_no_errors()


async def test_an_article_with_no_section_reaches_only_unrestricted_readers(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot(SECTIONS=SECTIONS)
    for reader in (READER_ID, SPORT_READER):
        await subscribe(fake, reader)
    await follow(fake, SPORT_READER, "sport")
    shown, article_id = await draft(fake, f"Library opens late\n{BODY.replace('rowing', 'book')}")
    assert "No section: only readers who follow every topic get it" in shown.text
    assert "reaches 1 reader at once" in shown.text
    await press(fake, shown, f"pb:now:{article_id}")
    await fake.wait_for_message(READER_ID, predicate=lambda m: "Library" in m.text)
    await drained(bot)
    assert await recipients(bot, article_id) == {READER_ID}
    fake.assert_no_errors()


async def test_readers_choose_among_sections_only(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot(SECTIONS=SECTIONS)
    await subscribe(fake, READER_ID)
    await publish(bot, "Regatta results", tags=("regatta", "rowing"))  # keyword tags in use
    await fake.wait_for_message(READER_ID, predicate=lambda m: "Regatta" in m.text)
    fake.send_text(READER_ID, "/settings")
    menu = await fake.wait_for_message(READER_ID)
    fake.press_button(READER_ID, READER_ID, menu.message_id, "st:topics")
    await fake.wait_until(lambda: "st:t:politics" in menu.button_data(), what="topic picker")
    topics = [d for d in menu.button_data() if d.startswith("st:t:")]
    assert topics == ["st:t:politics", "st:t:sport", "st:t:town_hall"]  # no keyword tags
    fake.press_button(READER_ID, READER_ID, menu.message_id, "st:t:town_hall")
    await fake.wait_until(lambda: "#town_hall" in menu.text, what="followed")
    assert (await subscription(bot, READER_ID)).topics == ("town_hall",)
    refused = await follow(fake, READER_ID, "regatta")
    assert "#regatta is not one of our sections: #politics, #sport, #town_hall" in refused.text
    query = fake.press_button(READER_ID, READER_ID, menu.message_id, "st:t:regatta", forge=True)
    answer = await fake.wait_for_callback_answer(query)
    assert "not one of our sections" in str(answer["text"])
    assert (await subscription(bot, READER_ID)).topics == ("town_hall",)
    fake.assert_no_errors()


async def test_publish_help_documents_tags_and_sections(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot(SECTIONS=SECTIONS)
    fake.send_text(ADMIN_ID, "/publish")
    usage = await fake.wait_for_message(ADMIN_ID)
    assert "tags: politics, town hall" in usage.text and "#hashtags" in usage.text
    assert "Sections: #politics, #sport, #town_hall" in usage.text
    assert "reaches only readers who follow everything" in usage.text
    await bot.stop()
    await start_bot()  # without SECTIONS the help says how to set them
    fake.send_text(ADMIN_ID, "/publish")
    assert "SECTIONS=" in (await fake.wait_for_message(ADMIN_ID)).text
    fake.assert_no_errors()


@pytest.mark.parametrize(
    ("tags", "title", "body", "expected"),
    [
        ((), "Sport: regatta draws a crowd", "", ("sport",)),
        ((), "Regatta", "Sports fans came. More sports next week.", ("sport",)),  # plural, twice
        ((), "Regatta", "One mention of sport only.", ()),  # once in the body is not enough
        (("politics",), "Regatta", "", ("politics",)),  # tagged
        ((), "Town hall reopens", "", ("town_hall",)),  # words of a two-word section
        ((), "Town-Hall budget", "", ("town_hall",)),
        ((), "Sportswear sale", "Transport plans. Passport queues.", ()),  # whole words only
        (("town_hall",), "Sport and politics", "", ("politics", "sport", "town_hall")),  # order
    ],
)
def test_suggested_sections(
    tags: tuple[str, ...], title: str, body: str, expected: tuple[str, ...]
) -> None:
    assert suggest_sections(("politics", "sport", "town_hall"), tags, title, body) == expected


def test_toggled_adds_and_removes() -> None:
    assert toggled(("local",), "sport") == ("local", "sport")
    assert toggled(("local", "sport"), "sport") == ("local",)
