"""Follow and mute words through the real bot: /settings follow|mute and the fan-out."""

from __future__ import annotations

from bot.services.readers.subscriptions import normalize_words
from storage.models import Audience, NewArticle
from tests.conftest import BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.helpers import publish, subscribe, subscription

ANNA, BORIS, CARLA, DAVID = 3101, 3102, 3103, 3104


async def recipients(bot: RunningBot, article_id: int) -> set[int]:
    """The chats the fan-out queued the article for."""
    rows = await bot.storage.db.fetchall(
        "SELECT chat_id FROM deliveries WHERE article_id = ?", (article_id,)
    )
    return {r["chat_id"] for r in rows}


async def setting(fake: FakeBotAPI, chat_id: int, text: str) -> str:
    """Send a /settings command and return the answer."""
    fake.send_text(chat_id, text)
    answer = await fake.wait_for_message(chat_id, predicate=lambda m: "settings" in m.text)
    return answer.text


async def test_followed_words_reach_beyond_topics_and_muted_words_win(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    for reader in (ANNA, BORIS, CARLA, DAVID):
        await subscribe(fake, reader)
    await setting(fake, ANNA, "/settings topics politics")
    shown = await setting(fake, ANNA, "/settings follow Rail, high-speed trains")
    assert "Also articles with: high speed trains, rail" in shown
    assert "never" not in shown.lower()
    assert "Never articles with: football" in await setting(fake, BORIS, "/settings mute Football")
    await setting(fake, CARLA, "/settings topics sport")
    await setting(fake, CARLA, "/settings mute football")
    await setting(fake, DAVID, "/settings topics sport")

    # The preview's count of readers reached is what the fan-out will do.
    draft = await bot.storage.articles.create(
        NewArticle(title="Rail works", body="Rail works at night.", summary="", tags=("x",)),
        content_hash="rail-works",
        status="draft",
        now=bot.clock.now(),
    )
    assert await bot.storage.deliveries.audience(draft.id) == Audience(instant=2)
    strike = await publish(bot, "Rail strike tomorrow", tags=("transport",), admin=None)
    final = await publish(bot, "Cup final: football fans travel", tags=("sport",), admin=None)
    both = await publish(
        bot,
        "Stadium gets a station",
        "The football stadium gets its own high-speed trains station on the rail line.",
        tags=("sport",),
        admin=None,
    )
    assert await recipients(bot, strike.id) == {ANNA, BORIS}  # Anna follows "rail"
    assert await recipients(bot, final.id) == {DAVID}  # Boris and Carla mute "football"
    assert await recipients(bot, both.id) == {ANNA, DAVID}  # muting beats the topic
    delivered = await fake.wait_for_message(ANNA, predicate=lambda m: "Rail strike" in m.text)
    assert delivered.text

    # A word moves between the lists; "none" clears one.
    await setting(fake, BORIS, "/settings follow football")
    sub = await subscription(bot, BORIS)
    assert (sub.follows, sub.mutes) == (("football",), ())
    await setting(fake, BORIS, "/settings follow none")
    assert (await subscription(bot, BORIS)).follows == ()
    fake.assert_no_errors()


async def test_bad_word_settings_get_clear_answers(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, ANNA)
    assert "Name the words" in await setting(fake, ANNA, "/settings follow")
    many = ", ".join(f"word{i}" for i in range(25))
    assert "At most 20 words" in await setting(fake, ANNA, f"/settings mute {many}")
    assert "at most 40 characters" in await setting(fake, ANNA, "/settings follow " + "x" * 50)
    hostile = await setting(fake, ANNA, '/settings follow "rail" OR NEAR(a, *), <b>')
    assert "Also articles with: b, rail or near a" in hostile
    # Syntax that survives as plain words still fans out without an error.
    article = await publish(bot, "Rail or near a b", admin=None)
    assert ANNA in await recipients(bot, article.id)
    fake.assert_no_errors()


def test_normalize_words() -> None:
    assert normalize_words(["Rail", " rail ", "Élan-vital", "__", '"x" OR y']) == (
        "rail",
        "élan vital",
        "x or y",
    )
