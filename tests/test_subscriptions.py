"""Subscribing, unsubscribing and settings, through the real bot and the fake Bot API."""

from __future__ import annotations

from bot.handlers.permissions import NOT_GROUP_ADMIN, RIGHTS_UNKNOWN
from tests.conftest import READER_ID, BotFactory
from tests.fakes.botapi import FakeBotAPI
from tests.helpers import publish, subscribe, subscription


async def test_stop_unsubscribes_and_start_resubscribes(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.send_text(READER_ID, "/stop")
    bye = await fake.wait_for_message(READER_ID)
    assert "unsubscribed" in bye.text
    sub = await subscription(bot, READER_ID)
    assert sub.status == "unsubscribed"
    await publish(bot, "Nobody should get this")
    await fake.wait_until(lambda: bool(fake.messages(1000)), timeout=5)  # admin progress
    assert [m.text for m in fake.messages(READER_ID)][-1] == bye.text
    fake.send_text(READER_ID, "/unsubscribe")
    again = await fake.wait_for_message(READER_ID)
    assert "not subscribed" in again.text
    fake.send_text(READER_ID, "/start")
    welcome = await fake.wait_for_message(READER_ID)
    assert "Welcome" in welcome.text
    sub = await subscription(bot, READER_ID)
    assert sub.status == "active"


async def test_settings_buttons_switch_to_daily_digest(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.send_text(READER_ID, "/settings")
    panel = await fake.wait_for_message(READER_ID)
    assert "each article as it is published" in panel.text
    fake.press_button(READER_ID, READER_ID, panel.message_id, "st:hours")
    await fake.wait_until(lambda: "st:h:7" in fake.messages(READER_ID)[-1].button_data())
    fake.press_button(READER_ID, READER_ID, panel.message_id, "st:h:7")
    await fake.wait_until(lambda: "07:00" in fake.messages(READER_ID)[-1].text)
    sub = await subscription(bot, READER_ID)
    assert (sub.mode, sub.digest_hour) == ("digest", 7)
    fake.press_button(READER_ID, READER_ID, panel.message_id, "st:zones")
    await fake.wait_until(lambda: "st:z:0" in fake.messages(READER_ID)[-1].button_data())
    fake.assert_no_errors()


async def test_typed_settings_and_clear_errors(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.send_text(READER_ID, "/settings tz Europe/Berlin")
    ok = await fake.wait_for_message(READER_ID)
    assert "Europe/Berlin" in ok.text
    fake.send_text(READER_ID, "/settings tz Mars/Olympus_Mons")
    bad_zone = await fake.wait_for_message(READER_ID)
    assert "Mars/Olympus_Mons" in bad_zone.text
    fake.send_text(READER_ID, "/settings digest 25")
    bad_hour = await fake.wait_for_message(READER_ID)
    assert "0 to 23" in bad_hour.text
    fake.send_text(READER_ID, "/settings topics #Sport, politics")
    topics = await fake.wait_for_message(READER_ID)
    assert "#politics" in topics.text
    assert "#sport" in topics.text
    sub = await subscription(bot, READER_ID)
    assert sub.timezone == "Europe/Berlin"
    assert sub.mode == "instant"
    assert sub.topics == ("politics", "sport")
    fake.send_text(READER_ID, "/settings colour <blue>")
    unknown = await fake.wait_for_message(READER_ID)
    assert "colour" in unknown.text
    fake.assert_no_errors()


async def test_settings_before_subscribing(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    await start_bot()
    fake.send_text(READER_ID, "/settings")
    answer = await fake.wait_for_message(READER_ID)
    assert "/start" in answer.text


async def test_forged_settings_button_changes_nothing(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.send_text(READER_ID, "/settings")
    panel = await fake.wait_for_message(READER_ID)
    query = fake.press_button(READER_ID, READER_ID, panel.message_id, "st:h:99", forge=True)
    answer = await fake.wait_for_callback_answer(query)
    assert "expired" in str(answer.get("text", ""))
    sub = await subscription(bot, READER_ID)
    assert sub.mode == "instant"


async def test_blocking_and_unblocking_updates_status(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.block(READER_ID)

    async def status() -> str:
        sub = await bot.services.subscriptions.get(READER_ID)
        return sub.status if sub else ""

    for _ in range(100):
        if await status() == "inactive":
            break
        await fake.changed(0.05)
    assert await status() == "inactive"
    fake.unblock(READER_ID)
    for _ in range(100):
        if await status() == "active":
            break
        await fake.changed(0.05)
    assert await status() == "active"


async def test_group_migration_keeps_subscription(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    fake.add_group(-100, "Newsroom", admins=(READER_ID,))
    fake.send_text(READER_ID, "/start", chat_id=-100)
    await fake.wait_for_message(-100)
    fake.migrate_group(-100, -1001234)
    for _ in range(100):
        if await bot.services.subscriptions.get(-1001234) is not None:
            break
        await fake.changed(0.05)
    sub = await subscription(bot, -1001234)
    assert sub.status == "active"
    assert await bot.services.subscriptions.get(-100) is None
    await publish(bot, "Group news")
    delivered = await fake.wait_for_message(-1001234, timeout=10)
    assert "Group news" in delivered.text


GROUP = -300
MEMBER_ID = 2002
CO_ADMIN_ID = 2003


async def test_only_group_admins_change_a_group_subscription(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    subs = bot.services.subscriptions
    fake.add_user(MEMBER_ID, "Max")
    fake.add_user(CO_ADMIN_ID, "Cora")
    fake.add_group(GROUP, "Book club", "supergroup", admins=(READER_ID, CO_ADMIN_ID))

    async def answer_to(user: int, text: str) -> str:
        fake.send_text(user, text, chat_id=GROUP)
        return (await fake.wait_for_message(GROUP)).text

    assert NOT_GROUP_ADMIN in await answer_to(MEMBER_ID, "/start")
    assert await subs.get(GROUP) is None
    assert "Welcome" in await answer_to(READER_ID, "/start")  # the group's creator
    # Anyone may look at the settings; only admins may change them.
    fake.send_text(MEMBER_ID, "/settings", chat_id=GROUP)
    panel = await fake.wait_for_message(GROUP, predicate=lambda m: "st:hours" in str(m))
    query = fake.press_button(MEMBER_ID, GROUP, panel.message_id, "st:inst")
    refusal = await fake.wait_for_callback_answer(query)
    assert refusal["text"] == NOT_GROUP_ADMIN
    assert refusal["show_alert"] is True
    assert NOT_GROUP_ADMIN in await answer_to(MEMBER_ID, "/settings digest 7")
    assert NOT_GROUP_ADMIN in await answer_to(MEMBER_ID, "/stop")
    sub = await subscription(bot, GROUP)
    assert (sub.status, sub.mode) == ("active", "instant")
    # An anonymous admin writes as the group itself, which only admins can do.
    fake.send_text(MEMBER_ID, "/settings digest 7", chat_id=GROUP, anonymous=True)
    assert "07:00" in (await fake.wait_for_message(GROUP)).text
    sub = await subscription(bot, GROUP)
    assert (sub.mode, sub.digest_hour) == ("digest", 7)
    assert "unsubscribed" in await answer_to(CO_ADMIN_ID, "/stop")  # an appointed admin
    sub = await subscription(bot, GROUP)
    assert sub.status == "unsubscribed"
    fake.assert_no_errors()


async def test_group_admin_check_failing_is_explained(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.add_group(GROUP, "Book club", admins=(READER_ID,))
    fake.fail_next("getChatMember", 502)
    fake.send_text(READER_ID, "/start", chat_id=GROUP)
    answer = await fake.wait_for_message(GROUP)
    assert answer.text == RIGHTS_UNKNOWN
    assert await bot.services.subscriptions.get(GROUP) is None
    fake.send_text(READER_ID, "/start", chat_id=GROUP)  # Telegram is back: it works
    assert "Welcome" in (await fake.wait_for_message(GROUP)).text
