"""Deep links through the real bot: t.me/<bot>?start=src-..., a-<id>, t-<tag>, and junk."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.engagement.deeplinks import StartLink, article_link, parse_start
from tests.conftest import BotFactory
from tests.fakes.botapi import FakeBotAPI
from tests.helpers import publish, subscribe, subscription


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("src-spring_mail", StartLink(source="spring_mail")),
        ("a-42", StartLink(source="a-42", article_id=42)),
        ("a-007", StartLink(source="a-7", article_id=7)),
        ("t-Rail", StartLink(source="t-rail", tag="rail")),
        (None, StartLink()),
        ("", StartLink()),
        ("src-", StartLink()),
        ("a-", StartLink()),
        ("a-0", StartLink()),
        ("a-x1", StartLink()),
        ("a-" + "9" * 19, StartLink()),
        ("t-", StartLink()),
        ("t-__", StartLink()),
        ("zzz", StartLink()),
        ("src-" + "x" * 61, StartLink()),  # longer than Telegram's 64
        ("a-1 OR 1=1", StartLink()),
        ('t-"rail"', StartLink()),
    ],
)
def test_parse_start(payload: str | None, expected: StartLink) -> None:
    assert parse_start(payload) == expected


@given(st.text(max_size=100))
def test_any_payload_parses_without_error(payload: str) -> None:
    link = parse_start(payload)
    assert len(link.source) <= 64


def test_article_link() -> None:
    assert article_link("news_bot", 12) == "https://t.me/news_bot?start=a-12"


async def test_every_deep_link_form_subscribes(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    article = await publish(bot, "Night trains return to the coast", admin=None)

    fake.add_user(3001, "Camila")
    fake.send_text(3001, "/start src-spring_mail")
    assert "Welcome" in (await fake.wait_for_message(3001)).text

    fake.add_user(3002, "Ben")
    fake.send_text(3002, f"/start a-{article.id}")
    assert "Welcome" in (await fake.wait_for_message(3002)).text
    sent = await fake.wait_for_message(3002)
    assert "Night trains" in sent.text
    assert any(d.startswith("cm:w:") for d in sent.button_data())  # a real article message
    for _ in range(250):  # recorded right after Telegram accepted it
        mapped = await bot.storage.deliveries.article_for_message(3002, sent.message_id)
        if mapped:
            break
        await asyncio.sleep(0.02)
    assert mapped == [article.id]

    fake.add_user(3003, "Tara")
    fake.send_text(3003, "/start t-Rail")
    welcome = await fake.wait_for_message(3003)
    assert "Welcome" in welcome.text and "#rail" in welcome.text

    assert (await subscription(bot, 3001)).source == "spring_mail"
    assert (await subscription(bot, 3002)).source == f"a-{article.id}"
    tagged = await subscription(bot, 3003)
    assert (tagged.source, tagged.topics) == ("t-rail", ("rail",))
    report = await bot.services.stats.report()
    assert report.by_source == {"spring_mail": 1, f"a-{article.id}": 1, "t-rail": 1}
    fake.assert_no_errors()


async def test_bad_payloads_still_subscribe_without_an_error(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    withdrawn = await publish(bot, "Withdrawn piece", admin=None)
    await bot.services.corrections.withdraw(withdrawn.id)
    payloads = [
        f"a-{withdrawn.id}",
        "a-999999",
        "a-0",
        "a-abc",
        "src-",
        "t-",
        "zzz",
        "x" * 300,
        "a-1%20OR%201=1",
        '"quoted" NEAR(a b)',
        "src-ok extra words",
    ]
    for offset, payload in enumerate(payloads):
        user = 4000 + offset
        fake.add_user(user, f"Reader {user}")
        fake.send_text(user, f"/start {payload}")
        answer = await fake.wait_for_message(user)
        assert "Welcome" in answer.text, payload
        sub = await subscription(bot, user)
        assert sub.active and sub.topics == (), payload
        # Only the welcome: no article, no error.
        assert [m.text for m in fake.messages(user)] == [answer.text], payload
    fake.assert_no_errors()


async def test_links_for_a_reader_already_subscribed(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, 3010, "Ines")
    article = await publish(bot, "Harbour festival this weekend", admin=None)
    await fake.wait_for_message(3010, predicate=lambda m: "festival" in m.text)
    fake.send_text(3010, f"/start a-{article.id}")
    again = await fake.wait_for_message(3010)
    assert "festival" in again.text and "already subscribed" not in again.text
    # Getting everything already, a topic link changes nothing (following it would narrow).
    fake.send_text(3010, "/start t-sport")
    answer = await fake.wait_for_message(3010)
    assert "already subscribed" in answer.text
    assert (await subscription(bot, 3010)).topics == ()
    # One who picked topics adds the linked one; the source stays the first one.
    fake.send_text(3010, "/settings topics politics")
    await fake.wait_for_message(3010)
    fake.send_text(3010, "/start t-sport")
    assert "#sport" in (await fake.wait_for_message(3010)).text
    sub = await subscription(bot, 3010)
    assert sub.topics == ("politics", "sport") and sub.source == ""
    fake.assert_no_errors()
