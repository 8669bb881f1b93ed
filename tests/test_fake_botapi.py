"""The fake Bot API must be as strict as Telegram, seen through httpx and through real PTB."""

from __future__ import annotations

import asyncio
import html
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import telegram
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from tests.fakes import FakeBotAPI, HtmlParseError, parse_telegram_html, telegram_len

USER = 1001
OTHER = 1002
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(fault_hold_seconds=1.0) as server:
        server.add_user(USER, "Ann", "ann")
        server.add_user(OTHER, "Bob")
        yield server


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url
    ) as ptb_bot:
        yield ptb_bot


@pytest.fixture
async def client(fake: FakeBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{fake.base_url}{fake.token}/", timeout=5) as http:
        yield http


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


# -- the HTML parser ------------------------------------------------------------------------


def test_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_telegram_html(
        '😀 <b>bold <i>both</i></b> <a href="https://e.x/?a=1&amp;b">l</a>'
    )
    assert text == "😀 bold both l"
    assert [(e.type, e.offset, e.length) for e in entities] == [
        ("bold", 3, 9),
        ("italic", 8, 4),
        ("text_link", 13, 1),
    ]
    assert entities[2].url == "https://e.x/?a=1&b"


def test_html_pre_code_language_and_entities() -> None:
    text, entities = parse_telegram_html(
        '<pre><code class="language-python">x = 1 &lt; 2</code></pre>&#33;&#x3F;&quot;'
    )
    assert text == 'x = 1 < 2!?"'
    assert [(e.type, e.language) for e in entities] == [("pre", "python")]


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("<b>open", "Can't find end tag"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("AT&T", "Can't find end of the entity"),
        ("1 < 2", 'Unescaped "<"'),
        ("2 > 1", 'Unescaped ">"'),
        ("<b>x</i>", "Unmatched end tag"),
        ("x</b>", "Unexpected end tag"),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;"'),
        ("<br/>", 'Unsupported start tag "br"'),
        ('<b class="x">y</b>', 'Unsupported attribute "class"'),
        ('<span class="red">y</span>', "tg-spoiler"),
        ('<a href="javascript:alert(1)">y</a>', "Unsupported URL"),
        ("<code><b>x</b></code>", "can't be nested"),
        ('<a href="https://a.b"><a href="https://c.d">x</a></a>', "can't be nested"),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "can't be nested"),
    ],
)
def test_html_rejects_what_telegram_rejects(markup: str, reason: str) -> None:
    with pytest.raises(HtmlParseError, match=reason):
        parse_telegram_html(markup)


@given(st.text())
def test_escaped_text_round_trips(text: str) -> None:
    assert parse_telegram_html(html.escape(text, quote=False)) == (text, [])


def test_telegram_len_counts_utf16_units() -> None:
    assert telegram_len("a😀é") == 4


# -- HTTP surface -----------------------------------------------------------------------------


async def test_wrong_token_and_unknown_method(fake: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as http:
        wrong = await http.get(f"{fake.base_url}999:WRONG/getMe")
        unknown = await http.get(f"{fake.base_url}{fake.token}/sendTelepathy")
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
    assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")


async def test_json_get_and_form_bodies_are_accepted(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    by_json = await client.post("sendMessage", json={"chat_id": USER, "text": "json"})
    by_query = await client.get("sendMessage", params={"chat_id": USER, "text": "query"})
    by_form = await client.post("sendMessage", data={"chat_id": str(USER), "text": "form"})
    assert [r.json()["result"]["text"] for r in (by_json, by_query, by_form)] == [
        "json",
        "query",
        "form",
    ]
    assert [m.text for m in fake.messages(USER)] == ["json", "query", "form"]


# -- sendMessage validation through PTB -------------------------------------------------------


async def test_valid_html_is_accepted_and_parsed(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    msg = await bot.send_message(USER, "<b>News</b> &amp; more", parse_mode="HTML")
    assert msg.text == "News & more"
    assert msg.entities[0].type == "bold"
    assert msg.from_user is not None
    assert msg.from_user.is_bot
    fake.assert_no_errors()


@pytest.mark.parametrize("markup", ["<b>unclosed", "<div>x</div>", "Q&A", "a < b"])
async def test_invalid_html_raises_bad_request(
    fake: FakeBotAPI, bot: telegram.Bot, client: httpx.AsyncClient, markup: str
) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(USER, markup, parse_mode="HTML")
    raw = await client.post(
        "sendMessage", data={"chat_id": USER, "text": markup, "parse_mode": "HTML"}
    )
    assert raw.status_code == 400
    assert raw.json()["description"].startswith("Bad Request: can't parse entities: ")
    assert fake.messages(USER) == []
    with pytest.raises(AssertionError, match="parse entities"):
        fake.assert_no_errors()


async def test_length_limit_counts_utf16(bot: telegram.Bot) -> None:
    # 2048 emoji are only 2048 Python characters but 4096 UTF-16 units: the maximum.
    ok = await bot.send_message(USER, "😀" * 2048)
    assert ok.text == "😀" * 2048
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(USER, "😀" * 2048 + "a")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(USER, "<b>" + "a" * 4097 + "</b>", parse_mode="HTML")
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")


async def test_callback_data_limit_is_64_bytes(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard("x" * 64))
    for data in ("x" * 65, "é" * 33):  # 33 two-byte letters are 66 bytes
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(USER, "bad", reply_markup=keyboard(data))
    assert [r.description for r in fake.rejected] == ["Bad Request: BUTTON_DATA_INVALID"] * 2


async def test_bad_url_button_rejected(bot: telegram.Bot) -> None:
    button = InlineKeyboardButton("site", url="ftp://example.org")
    with pytest.raises(BadRequest, match=r"(?i)wrong http url"):
        await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup([[button]]))


async def test_unknown_chat_blocked_and_migrated(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hi")
    fake.block(USER)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(USER, "hi")
    fake.unblock(USER)
    await bot.send_message(USER, "welcome back")
    updates = await bot.get_updates()
    statuses = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert statuses == ["kicked", "member"]
    fake.add_group(-100, "Editors")
    fake.migrate_group(-100, -1001234)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-100, "hi")
    assert migrated.value.new_chat_id == -1001234
    await bot.send_message(-1001234, "hi supergroup")


async def test_reply_parameters(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    question = fake.send_text(USER, "what's new?")
    with pytest.raises(BadRequest, match="replied not found"):
        await bot.send_message(USER, "x", reply_to_message_id=999)
    loose = await bot.send_message(
        USER, "x", reply_to_message_id=999, allow_sending_without_reply=True
    )
    assert loose.reply_to_message is None
    answer = await bot.send_message(USER, "this", reply_to_message_id=question["message_id"])
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "what's new?"


# -- rate limits and faults -------------------------------------------------------------------


async def test_forced_429_gives_retry_after(
    fake: FakeBotAPI, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22 warns on the int form
    fake.fail_next("sendMessage", 429)
    with pytest.raises(RetryAfter) as exc:
        await bot.send_message(USER, "hi")
    assert exc.value.retry_after == timedelta(seconds=1)
    await bot.send_message(USER, "hi")
    assert fake.stats.too_many_requests == 1
    fake.assert_no_errors()  # injected faults are not the bot's fault


async def test_global_rate_limit_30_per_second(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    fake.set_rate_limit(True)
    for user_id in range(2000, 2031):
        fake.add_user(user_id, "Reader")
    started = time.monotonic()
    codes = [
        (await client.post("sendMessage", data={"chat_id": u, "text": "news"})).status_code
        for u in range(2000, 2031)
    ]
    assert time.monotonic() - started < 1.0, "too slow to test a 1-second window"
    assert codes == [200] * 30 + [429]
    assert fake.stats.rate_limited == 1
    paid = {"chat_id": 2030, "text": "x", "allow_paid_broadcast": "true"}
    assert (await client.post("sendMessage", data=paid)).is_success  # paid: own 1000/s budget
    assert fake.messages(2030)[-1].allow_paid_broadcast
    fake.rate_limit = False
    assert (await client.post("sendMessage", data={"chat_id": 2030, "text": "x"})).is_success


async def test_per_chat_limits(fake: FakeBotAPI, client: httpx.AsyncClient) -> None:
    fake.set_rate_limit(True)
    private = [
        (await client.post("sendMessage", data={"chat_id": USER, "text": "x"})).status_code
        for _ in range(4)
    ]
    assert private == [200, 200, 200, 429]  # burst of 3, then one per second
    fake.limiter.private_burst = 1  # strictly one a second (--chat-burst 1)
    strict = [
        (await client.post("sendMessage", data={"chat_id": OTHER, "text": "x"})).status_code
        for _ in range(2)
    ]
    assert strict == [200, 429]
    fake.add_group(-5, "Club")
    fake.limiter.global_rate = 1000
    group = [
        (await client.post("sendMessage", data={"chat_id": -5, "text": "x"})).status_code
        for _ in range(21)
    ]
    assert group == [200] * 20 + [429]
    body = (await client.post("sendMessage", data={"chat_id": -5, "text": "x"})).json()
    assert body["parameters"] == {"retry_after": 1}


async def test_round_trip_delays_each_call_without_serialising(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    fake.set_latency(0.2, per_method={"getMe": 0.0})
    started = time.monotonic()
    answers = await asyncio.gather(
        *(client.post("sendMessage", data={"chat_id": USER, "text": str(i)}) for i in range(20))
    )
    took = time.monotonic() - started
    assert all(a.is_success for a in answers)
    assert 0.2 <= took < 0.6, f"20 concurrent calls with 0.2 s round trips took {took:.2f} s"
    assert fake.stats.in_flight_peak == 20
    quick = time.monotonic()
    assert (await client.post("getMe")).is_success  # its own delay: none
    assert time.monotonic() - quick < 0.1
    fake.set_latency(0.05, jitter=0.1)
    trips = [fake.latency.sample("sendMessage") for _ in range(200)]
    assert 0.05 <= min(trips) < 0.06 and 0.14 < max(trips) <= 0.15
    fake.set_latency()
    quick = time.monotonic()
    assert (await client.post("sendMessage", data={"chat_id": USER, "text": "x"})).is_success
    assert time.monotonic() - quick < 0.1


async def test_drop_after_delivery_is_recorded(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    fake.set_random_faults(p_drop=1.0, deliver_before_fault=1.0, seed=7)
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("sendMessage", data={"chat_id": USER, "text": "maybe"})
    fake.set_random_faults(p_timeout=1.0, deliver_before_fault=0.0)
    with pytest.raises(httpx.ReadTimeout):
        await client.post("sendMessage", data={"chat_id": USER, "text": "lost"}, timeout=0.3)
    fake.set_random_faults()
    assert [m.text for m in fake.messages(USER)] == ["maybe"]
    assert fake.messages(USER)[0].fault == "drop"
    assert [(f.kind, f.delivered) for f in fake.faults] == [("drop", True), ("timeout", False)]
    fake.assert_no_errors()


async def test_hold_next_delivers_then_waits(fake: FakeBotAPI, client: httpx.AsyncClient) -> None:
    handle = fake.hold_next("sendMessage")
    async with httpx.AsyncClient(base_url=client.base_url) as second:
        request = asyncio.create_task(
            second.post("sendMessage", data={"chat_id": USER, "text": "in flight"})
        )
        held = await handle.wait_delivered()
        assert held is not None
        assert held.text == "in flight"
        assert not request.done()
        handle.release()
        assert (await request).status_code == 200


# -- updates --------------------------------------------------------------------------------


async def test_long_poll_returns_quickly_and_offset_confirms(
    fake: FakeBotAPI, bot: telegram.Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    fake.send_text(USER, "/start@newsbot_test_bot hello")
    updates = await poll
    assert time.monotonic() - started < 1.0
    assert updates[0].message is not None
    command = updates[0].message.entities[0]
    assert (command.type, command.offset, command.length) == ("bot_command", 0, 23)
    again = await bot.get_updates()
    assert [u.update_id for u in again] == [updates[0].update_id]  # not confirmed yet
    assert await bot.get_updates(offset=updates[0].update_id + 1) == ()
    assert fake.updates == []


async def test_second_poller_and_webhook_conflict(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    first = asyncio.create_task(client.post("getUpdates", data={"timeout": 5}))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(client.post("getUpdates", data={"timeout": 0}))
    old = await asyncio.wait_for(first, 2)
    assert old.status_code == 409
    assert "only one bot instance" in old.json()["description"]
    assert (await second).json() == {"ok": True, "result": []}
    assert (await client.post("setWebhook", data={"url": "https://bot.example/hook"})).is_success
    assert (await client.post("getUpdates")).status_code == 409
    assert (await client.post("deleteWebhook")).is_success
    assert (await client.post("getUpdates")).is_success


async def test_press_button_and_answer_once(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "pick", reply_markup=keyboard("a", "b"))
    with pytest.raises(AssertionError, match="no button"):
        fake.press_button(USER, USER, sent.message_id, "zzz")
    query_id = fake.press_button(USER, USER, sent.message_id, "b")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "b"
    assert update.callback_query.message.message_id == sent.message_id
    await bot.answer_callback_query(query_id, text="done")
    assert (await fake.wait_for_callback_answer(query_id))["text"] == "done"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    forged = fake.press_button(USER, USER, sent.message_id, "admin:drop", forge=True)
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(forged, text="x" * 201)


# -- edits and deletions --------------------------------------------------------------------


async def test_edit_rules(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "v1", reply_markup=keyboard("a"))
    edited = await bot.edit_message_text("<i>v2</i>", USER, sent.message_id, parse_mode="HTML")
    assert edited.text == "v2"
    assert edited.edit_date is not None
    record = fake.messages(USER)[0]
    assert record.edited == ["v1"]
    assert record.reply_markup is None  # an edit without reply_markup drops the keyboard
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("<i>v2</i>", USER, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match="to edit not found"):
        await bot.edit_message_text("x", USER, 999)
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.edit_message_text("<b>x", USER, sent.message_id, parse_mode="HTML")
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard("b"))
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard("b"))
    user_msg = fake.send_text(USER, "mine")
    with pytest.raises(BadRequest, match="can't be edited"):
        await bot.edit_message_text("x", USER, user_msg["message_id"])


async def test_delete_rules_including_48_hours(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fresh = await bot.send_message(USER, "fresh")
    old = await bot.send_message(USER, "old")
    fake.age_message(USER, old.message_id, hours=49)
    assert await bot.delete_message(USER, fresh.message_id)
    with pytest.raises(BadRequest, match="to delete not found"):
        await bot.delete_message(USER, fresh.message_id)
    with pytest.raises(BadRequest, match="can't be deleted for everyone"):
        await bot.delete_message(USER, old.message_id)
    fake.age_message(USER, old.message_id, hours=-2)  # now 47 h old
    assert await bot.delete_message(USER, old.message_id)
    assert fake.messages(USER) == []
    assert [m.deleted for m in fake.sent] == [True, True]


# -- files, commands, waits -----------------------------------------------------------------


async def test_document_download_and_upload(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.send_document(USER, "feeds.opml", b"<opml/>", mime_type="text/x-opml")
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    file = await update.message.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"<opml/>"
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")
    await bot.send_document(
        USER, b"a,b\n", filename="export.csv", caption="<b>Export</b>", parse_mode="HTML"
    )
    (export,) = fake.messages(USER)
    assert export.document is not None
    assert (export.document.filename, export.document.data, export.caption) == (
        "export.csv",
        b"a,b\n",
        "Export",
    )
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_document(USER, b"x", filename="x.txt", caption="c" * 1025)


async def test_commands_validation(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Start", "Begin")])
    with pytest.raises(BadRequest, match="Bot_command_description_invalid"):
        await bot.set_my_commands([("start", "d" * 257)])
    await bot.set_my_commands([("start", "Begin"), ("digest_now", "Digest")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "digest_now"]


async def test_wait_for_message_is_sequential(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    await bot.send_message(USER, "one")
    await bot.send_message(USER, "two")
    await bot.send_message(USER, "three")
    assert (await fake.wait_for_message(USER, predicate=lambda m: m.text == "two")).text == "two"
    assert (await fake.wait_for_message(USER)).text == "one"
    assert (await fake.wait_for_message(USER)).text == "three"
    with pytest.raises(AssertionError, match="no new bot message") as exc:
        await fake.wait_for_message(USER, timeout=0.1)
    assert "'three'" in str(exc.value)  # the dump shows recent messages


def test_standalone_server_process() -> None:
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "tests.fakes.botapi", "--port", "0", "--rate-limit"),
            *("--round-trip", "150", "--jitter", "10", "--chat-burst", "1"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline().split()
        assert ready[0] == "READY"
        url = f"http://127.0.0.1:{ready[1]}/bot123456:TEST-TOKEN/getMe"
        started = time.monotonic()
        assert httpx.get(url).json()["result"]["username"] == "newsbot_test_bot"
        assert 0.15 <= time.monotonic() - started < 1.0  # a network round trip away
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()
    assert proc.returncode == 0


async def test_real_application_polls_and_replies(fake: FakeBotAPI) -> None:
    from telegram import Update
    from telegram.ext import Application, CommandHandler, ContextTypes

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id,
            "<b>Welcome</b>",
            parse_mode="HTML",
            reply_markup=keyboard("topics"),
        )

    app = (
        Application.builder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        fake.send_text(USER, "/start")
        reply = await fake.wait_for_message(USER)
        await app.updater.stop()
        await app.stop()
    assert reply.text == "Welcome"
    assert reply.button_data() == ["topics"]
    assert fake.updates == []  # PTB confirmed the update on shutdown
    fake.assert_no_errors()
