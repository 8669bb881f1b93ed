"""Readers' own language through the real bot and the fake Bot API: Russian and Uzbek readers
are answered in their language from their first /start, can switch in /settings, get the
bot's words around articles (never the articles) in it, and see per-language command menus
with the admin commands only in admins' chats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.helpers import drained, publish, subscription

IVAN, DILNOZA, HANS = 3001, 3002, 3003
URL = "https://news.example/harbour"
TITLE = "Harbour wall rebuilt"


async def starts(fake: FakeBotAPI, user_id: int, name: str, language: str) -> SentMessage:
    """A new user with this Telegram language sends /start; return the answer."""
    fake.add_user(user_id, name, language_code=language)
    fake.send_text(user_id, "/start")
    return await fake.wait_for_message(user_id)


async def says(fake: FakeBotAPI, user_id: int, text: str) -> SentMessage:
    fake.send_text(user_id, text)
    return await fake.wait_for_message(user_id)


async def test_russian_reader_is_answered_in_russian_and_can_switch_to_english(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    welcome = await starts(fake, IVAN, "Иван", "ru")
    assert "Добро пожаловать" in welcome.text and "/settings" in welcome.text
    assert (await subscription(bot, IVAN)).language == "ru"
    assert "присылает вам наши статьи" in (await says(fake, IVAN, "/help")).text
    panel = await says(fake, IVAN, "/settings")
    assert "Ваши настройки" in panel.text and "Язык: Русский" in panel.text
    query = fake.press_button(IVAN, IVAN, panel.message_id, "st:langs")
    await fake.wait_for_callback_answer(query)
    await fake.wait_until(lambda: "st:l:en" in panel.button_data(), what="language buttons")
    assert set(panel.button_data()) >= {"st:l:en", "st:l:ru", "st:l:uz"}
    query = fake.press_button(IVAN, IVAN, panel.message_id, "st:l:en")
    answer = await fake.wait_for_callback_answer(query)
    assert answer["text"] == "The bot now writes to you in English."
    await fake.wait_until(lambda: "Your settings" in panel.text, what="settings in English")
    assert "Language: English" in panel.text
    assert (await subscription(bot, IVAN)).language == "en"
    assert "Welcome" not in (reply := await says(fake, IVAN, "/start")).text
    assert "already subscribed" in reply.text
    fake.assert_no_errors()


async def test_uzbek_reader_gets_uzbek_and_types_a_switch_to_russian(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    welcome = await starts(fake, DILNOZA, "Dilnoza", "uz")
    assert "xush kelibsiz" in welcome.text
    assert "obuna boʻldingiz" in welcome.text  # noqa: RUF001 - Uzbek writes this letter with U+02BB
    bad = await says(fake, DILNOZA, "/settings language fr")
    assert "Til quyidagilardan biri boʻlishi kerak" in bad.text  # noqa: RUF001
    assert (await subscription(bot, DILNOZA)).language == "uz"
    switched = await says(fake, DILNOZA, "/settings language ru")
    assert "Ваши настройки" in switched.text
    assert (await subscription(bot, DILNOZA)).language == "ru"
    unknown = await says(fake, DILNOZA, "/frobnicate")
    assert "Я не знаю команды /frobnicate" in unknown.text
    fake.assert_no_errors()


async def test_a_language_the_bot_does_not_speak_falls_back_to_english(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    welcome = await starts(fake, HANS, "Hans", "de")
    assert "Welcome" in welcome.text
    assert (await subscription(bot, HANS)).language == "en"
    fake.assert_no_errors()


async def reader_copy(fake: FakeBotAPI, user_id: int) -> SentMessage:
    return await fake.wait_for_message(user_id, predicate=lambda m: m.text.startswith(TITLE))


async def test_articles_carry_the_bots_words_in_each_readers_language(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await starts(fake, IVAN, "Иван", "ru")
    await starts(fake, DILNOZA, "Dilnoza", "uz")
    await starts(fake, READER_ID, "Rita", "en")
    await publish(bot, TITLE, "The wall is rebuilt. Work took six months.", url=URL)
    russian, uzbek, english = (
        await reader_copy(fake, IVAN),
        await reader_copy(fake, DILNOZA),
        await reader_copy(fake, READER_ID),
    )
    # The article stays as written; the byline date, the link and the buttons are translated.
    for copy in (russian, uzbek, english):
        assert copy.text.startswith(f"{TITLE}\n\nThe wall is rebuilt.")
    assert "Читать статью полностью" in russian.text and "30 нояб. 2026" in russian.text
    assert "Maqolani toʻliq oʻqish" in uzbek.text and "30 noy 2026" in uzbek.text  # noqa: RUF001
    assert "Read the full article" in english.text and "30 Nov 2026" in english.text
    assert _labels(russian) == ["💬 Комментировать", "🗨 Комментарии", "↗ Поделиться"]
    assert _labels(uzbek) == ["💬 Izoh yozish", "🗨 Izohlar", "↗ Ulashish"]
    assert _labels(english) == ["💬 Comment", "🗨 Comments", "↗ Share"]
    await drained(bot)
    fake.assert_no_errors()


def _labels(message: SentMessage) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def test_admin_notices_follow_the_admins_language(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await starts(fake, ADMIN_ID, "Ada", "ru")  # the admin reads Russian
    await starts(fake, READER_ID, "Rita", "en")
    article = await publish(bot, TITLE, url=URL, admin=None)
    copy = await reader_copy(fake, READER_ID)
    await reader_copy(fake, ADMIN_ID)
    fake.send_text(READER_ID, "Great news", reply_to=copy.message_id)
    thanks = await fake.wait_for_message(READER_ID)
    assert "Thanks, your comment" in thanks.text
    notice = await fake.wait_for_message(
        ADMIN_ID, predicate=lambda m: "Новый комментарий" in m.text
    )
    assert f"(#{article.id})" in notice.text and "Great news" in notice.text
    assert {b["text"] for row in notice.reply_markup["inline_keyboard"] for b in row} == {  # type: ignore[index]
        "🙈 Скрыть",
        "⛔ Заблокировать автора",
    }
    fake.assert_no_errors()


async def test_command_menus_per_language_with_admin_commands_for_admins_only(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    await start_bot()
    reader = fake.menu("ru", READER_ID)
    admin = fake.menu("ru", ADMIN_ID)
    assert "start" in reader and "settings" in reader and "publish" not in reader
    assert set(reader) < set(admin) and {"publish", "unpublish", "stats", "ban"} <= set(admin)
    assert fake.menu("de", READER_ID) == fake.menu("", READER_ID)  # English for the rest
    descriptions = {
        language: {c["command"]: c["description"] for c in fake.commands[f"default::{language}"]}
        for language in ("", "ru", "uz")
    }
    assert descriptions[""]["start"] == "Subscribe to the news"
    assert descriptions["ru"]["start"] == "Подписаться на новости"
    assert descriptions["uz"]["start"] == "Yangiliklarga obuna boʻlish"  # noqa: RUF001
    admin_ru = {c["command"]: c["description"] for c in fake.commands[f"chat:{ADMIN_ID}:ru"]}
    assert admin_ru["publish"] == "Предпросмотр статьи, затем публикация"
    fake.assert_no_errors()


async def test_an_admin_who_never_opened_the_bot_still_lets_it_start(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    """Telegram refuses a chat scope for a user the bot has never met; the bot goes on."""
    bot: RunningBot = await start_bot(ADMIN_IDS=f"{ADMIN_ID},999999")
    await starts(fake, IVAN, "Иван", "ru")
    assert fake.menu("ru", ADMIN_ID) != fake.menu("ru")
    assert {r.method for r in fake.rejected} == {"setMyCommands"}
    assert bot.services.settings.admin_ids == {ADMIN_ID, 999999}


async def test_a_russian_readers_daily_digest_is_in_russian(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 4, 30, tzinfo=UTC))  # 07:30 in Moscow
    bot = await start_bot(clock=clock)
    await starts(fake, IVAN, "Иван", "ru")
    assert "Ваши настройки" in (await says(fake, IVAN, "/settings tz Europe/Moscow")).text
    assert "08:00" in (await says(fake, IVAN, "/settings digest 8")).text
    await publish(bot, "Morning story")
    clock.advance(timedelta(minutes=30))
    digest = await fake.wait_for_message(IVAN, timeout=10)
    assert digest.text.startswith("Ваша ежедневная сводка · 30 нояб. 2026")
    assert "Morning story" in digest.text
    await drained(bot, kind="digest")
    fake.assert_no_errors()
