"""A feed draft's note (where it came from, why it was held) reads in each admin's language,
on the first preview and on a preview shown again after a restart."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import ADMIN_ID, BotFactory
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.fixtures.site import rss, serve_site
from tests.helpers import feed_admins

UZ_ADMIN = 3002
HELD_RU = (
    "📡 Из ленты Test Ledger (auto, задержано для проверки).\n"
    "⚠️ Страницу по ссылке не удалось использовать (Сервер ответил 404): это аннотация из "
    "самой ленты, и ссылка может не работать. Проверьте перед публикацией."
)
HELD_UZ = (
    "📡 Manba: Test Ledger lentasidan (auto, tekshirish uchun ushlab qolindi).\n"
    "⚠️ Havoladagi sahifadan foydalanib boʻlmadi (Server 404 deb javob berdi): bu lentaning "  # noqa: RUF001 - Uzbek's U+02BB
    "oʻz qisqacha mazmuni, havola ishlamasligi mumkin. Eʼlon qilishdan oldin tekshiring."  # noqa: RUF001
)


def is_preview(message: SentMessage) -> bool:
    return any(data.startswith("pb:now:") for data in message.button_data())


async def test_a_held_feed_entry_explains_itself_in_each_admins_language_after_a_restart(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    clock, env = feed_admins(fake, {ADMIN_ID: ("Ivan", "ru"), UZ_ADMIN: ("Dilnoza", "uz")})
    env["SECTIONS"] = "Port, Sea"  # a section toggle shows the preview again
    async with serve_site() as site:
        bot = await start_bot(clock=clock, **env)
        site.feed = rss([])
        fake.send_text(ADMIN_ID, f"/feeds add {site.url('/feed.xml')} auto")
        assert "Test Ledger" in (await fake.wait_for_message(ADMIN_ID, timeout=10)).text
        fake.send_text(UZ_ADMIN, "/feeds")  # the bot learns this admin's language
        await fake.wait_for_message(UZ_ADMIN)
        # The entry's page is missing (404): not published, held for the admins' review.
        site.feed = rss([("g-gone", site.url("/gone"), "Pier closed")])
        clock.advance(timedelta(minutes=2))
        ru = await fake.wait_for_message(ADMIN_ID, predicate=is_preview, timeout=10)
        uz = await fake.wait_for_message(UZ_ADMIN, predicate=is_preview, timeout=10)
    assert ru.text.startswith("👁 Предпросмотр") and HELD_RU in ru.text
    assert HELD_UZ in uz.text
    assert "Summary of Pier closed" in ru.text
    assert "feed" not in ru.text + uz.text and "could not" not in ru.text + uz.text
    await bot.stop()

    await start_bot(clock=clock, **env)
    # After the restart the note is read back from the database: tapping a section shows the
    # preview again, still explained in each admin's own language.
    shown = ((ADMIN_ID, ru, HELD_RU, 0, "#port"), (UZ_ADMIN, uz, HELD_UZ, 1, "#sea"))
    for admin, preview, held, section, tag in shown:
        article_id = int(next(d for d in preview.button_data() if d.startswith("pb:now:"))[7:])
        query = fake.press_button(admin, admin, preview.message_id, f"pb:s:{article_id}:{section}")
        await fake.wait_for_callback_answer(query)
        await fake.wait_until(lambda p=preview, t=tag: t in p.text, what="the preview again")
        assert held in preview.text
    fake.assert_no_errors()


async def test_a_reason_with_a_limit_reads_in_each_admins_language(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    # The fetcher's error carries its reason and limit, so no sentence is stored in English.
    clock, env = feed_admins(fake, {ADMIN_ID: ("Ivan", "ru"), UZ_ADMIN: ("Dilnoza", "uz")})
    async with serve_site() as site:
        site.redirects["/loop"] = "/loop"
        await start_bot(clock=clock, **env)
        site.feed = rss([])
        fake.send_text(ADMIN_ID, f"/feeds add {site.url('/feed.xml')} auto")
        assert "Test Ledger" in (await fake.wait_for_message(ADMIN_ID, timeout=10)).text
        fake.send_text(UZ_ADMIN, "/feeds")
        await fake.wait_for_message(UZ_ADMIN)
        site.feed = rss([("g-loop", site.url("/loop"), "Ferry timetable")])
        clock.advance(timedelta(minutes=2))
        ru = await fake.wait_for_message(ADMIN_ID, predicate=is_preview, timeout=10)
        uz = await fake.wait_for_message(UZ_ADMIN, predicate=is_preview, timeout=10)
        # /publish with the same link answers with the same reason, in the admin's language.
        fake.send_text(ADMIN_ID, f"/publish {site.url('/loop')}")
        answer = await fake.wait_for_message(ADMIN_ID, timeout=10)
    assert "использовать (Ссылка перенаправляет слишком много раз (больше 3)): это" in ru.text
    assert "foydalanib boʻlmadi (Havola juda koʻp marta yoʻnaltiradi (3 martadan" in uz.text  # noqa: RUF001
    assert "redirects" not in ru.text + uz.text
    assert "Ссылка перенаправляет слишком много раз (больше 3)." in answer.text
    fake.assert_no_errors()
