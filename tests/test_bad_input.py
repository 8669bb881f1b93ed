"""Any text, through the real bot and the strict fake: a valid answer or a clear refusal.

Property-based (Hypothesis): each test starts the bot once and feeds every example through
it, then checks that Telegram would have accepted every call, that the error handler never
ran (no apology, no ERROR log record) and that what was stored reads back verbatim.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.services.ingest.pasted import trim_quotes
from bot.services.text.tags import normalize_tags
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.fixtures.hardening import assert_healthy
from tests.helpers import publish, subscribe

TITLE = "Harbour wall agreed"
BODY = (
    "The council met on Tuesday evening and agreed a plan for the old harbour wall. "
    "Work starts in spring and should take about six months, the engineers said."
)
SQL = ("'; DROP TABLE articles; --", "%", "_", "'", '"', "\\", "`", "/*", "*/", ";", "--")
NASTY = (
    "<",
    "&",
    ">",
    "\x00",
    "<b>",
    "</i>",
    "&amp;",
    "&#0;",
    '<a href="x">',
    "\u202e",  # right-to-left override
    "שלום עולם",
    "\u0645\u0631\u062d\u0628\u0627",  # Arabic "hello"
    "e\u0301\u0301\u0301",  # combining marks
    "😀",
    "👩‍👩‍👧‍👦",
    "🇩🇪",
    "\u200b",
    "\ufeff",
    "\r\n",
    "\t",
    " ",
    *SQL,
)
# Telegram never delivers lone surrogates (they are not valid UTF-8).
_CHARS = st.characters(exclude_categories=("Cs",))
_MIXED = st.lists(
    st.one_of(st.text(_CHARS, max_size=40), st.sampled_from(NASTY)), max_size=12
).map("".join)
# Long runs of characters that are two UTF-16 units, or grow when escaped.
_LONG = st.text(st.sampled_from("😀Ж<&\u0301 "), min_size=1000, max_size=2100)
ANY_TEXT = st.one_of(_MIXED, _MIXED, _MIXED, _LONG)
SQL_TEXT = st.lists(
    st.one_of(st.sampled_from(SQL), st.text("abcXYZ 019éж😀", min_size=1, max_size=5)),
    min_size=1,
    max_size=10,
).map("".join)
HUGE = "A" * 50_000 + "<&>😀" * 12_500  # about 100 kB of UTF-8
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Live:
    """The running bot with a subscribed reader who has received one article."""

    def __init__(
        self, fake: FakeBotAPI, bot: RunningBot, article_id: int, delivered: SentMessage
    ) -> None:
        self.fake, self.bot, self.article_id, self.delivered = fake, bot, article_id, delivered

    def __repr__(self) -> str:  # Hypothesis prints the arguments of a failing example
        return f"Live(article_id={self.article_id})"

    async def ask(self, chat_id: int, text: str, reply_to: int | None = None) -> SentMessage:
        """Send a message and return the bot's next message in that chat."""
        self.fake.send_text(chat_id, text, reply_to=reply_to)
        return await self.fake.wait_for_message(chat_id, timeout=10)


@pytest.fixture
async def live(fake: FakeBotAPI, start_bot: BotFactory) -> Live:
    """The bot once per test (not per example): starting it per example would be too slow."""
    bot = await start_bot(ALLOW_PRIVATE_URLS="false")
    await subscribe(fake, READER_ID)
    article = await publish(bot, TITLE, BODY, admin=None)
    delivered = await fake.wait_for_message(READER_ID, predicate=lambda m: TITLE in m.text)
    return Live(fake, bot, article.id, delivered)


async def still_answers(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    """After everything, the bot still answers a plain command and nothing went wrong."""
    answer = await live.ask(READER_ID, "/help")
    assert "/start" in answer.text
    assert_healthy(live.fake, caplog)


@EXAMPLES
@given(text=ANY_TEXT)
@example(text=HUGE)
@example(text="😀" * 2000)  # at the length limit, but twice as long in UTF-16
@example(text="<")
@example(text="&")
@example(text="a\x00b")
@example(text="'; DROP TABLE articles; --")
async def test_any_comment_is_stored_verbatim_or_refused(
    live: Live, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    assume(not text.startswith("/"))  # that is a command, not a comment
    fake, db = live.fake, live.bot.storage.db
    sent = fake.send_text(READER_ID, text, reply_to=live.delivered.message_id)
    answer = await fake.wait_for_message(READER_ID, timeout=10)
    row = await db.fetchone(
        "SELECT text FROM comments WHERE chat_id = ? AND message_id = ?",
        (READER_ID, sent["message_id"]),
    )
    if row is None:
        assert "needs some text" in answer.text or "the limit is" in answer.text, answer.text
        assert not text.strip() or len(text.strip()) > 2000
    else:
        assert row["text"] == text.strip()
        assert "Thanks" in answer.text
        notice = await fake.wait_for_message(ADMIN_ID, timeout=10)
        assert "New comment" in notice.text
    live.bot.clock.advance(timedelta(seconds=13))  # stay under 5 comments a minute
    assert_healthy(fake, caplog)


@EXAMPLES
@given(title=ANY_TEXT, body=ANY_TEXT)
@example(title=HUGE, body=HUGE)
@example(title="<b>Bold & brave</b>", body="x < y && y > z; </i> &amp; 😀")
@example(title="\u202e\u0645\u0631\u062d\u0628\u0627 שלום", body="e\u0301\u0301 " * 3000)
async def test_publish_text_previews_or_refuses(
    live: Live, caplog: pytest.LogCaptureFixture, title: str, body: str
) -> None:
    # A lone http(s) word is the URL form; junk hosts must not cause DNS lookups here.
    assume("://" not in title + body)
    assume(not title.lower().lstrip().startswith("at"))  # the scheduled form
    answer = await live.ask(ADMIN_ID, f"/publish {title}\n{body}")
    if any(d.startswith("pb:now:") for d in answer.button_data()):
        assert len(answer.text) <= 4096
    else:
        assert answer.text.startswith(("❌", "How to publish", "⚠️")), answer.text
    assert_healthy(live.fake, caplog)


@EXAMPLES
@given(title=SQL_TEXT, body=SQL_TEXT)
@example(title="'; DROP TABLE articles; --", body="100% of_the \\ \"quoted\" 'text'")
async def test_sql_metacharacters_are_stored_verbatim(
    live: Live, caplog: pytest.LogCaptureFixture, title: str, body: str
) -> None:
    assume(title.strip() and body.strip())
    answer = await live.ask(ADMIN_ID, f"/publish {title}\n{body}")
    article_id = int(next(d for d in answer.button_data() if d.startswith("pb:now:"))[7:])
    row = await live.bot.storage.db.fetchone(
        "SELECT title, body FROM articles WHERE id = ?", (article_id,)
    )
    assert row is not None
    # Titles are one line with single spaces by design, without a quote mark left unpaired at
    # either end (a copied headline's); every other character is kept.
    assert (row["title"], row["body"]) == (trim_quotes(" ".join(title.split())), body.strip())
    tables = await live.bot.storage.db.fetchall("SELECT name FROM sqlite_master")
    assert "articles" in {t["name"] for t in tables}
    assert_healthy(live.fake, caplog)


SETTINGS_WHAT = st.sampled_from(["tz", "timezone", "topics", "digest", "instant", "junk"])


@EXAMPLES
@given(what=st.one_of(SETTINGS_WHAT, ANY_TEXT), value=ANY_TEXT)
@example(what="topics", value="'; DROP TABLE subscribers; --, %_\\")
@example(what="tz", value="../../etc/passwd")
@example(what="tz", value="Europe/Berlin\x00")
@example(what="digest", value="99999999999999999999999")
@example(what="topics", value=" ".join(f"t{i}" for i in range(200)))
async def test_settings_typed_input(
    live: Live, caplog: pytest.LogCaptureFixture, what: str, value: str
) -> None:
    assume(what.strip())
    answer = await live.ask(READER_ID, f"/settings {what} {value}")
    assert "Your settings" in answer.text or "Change settings" in answer.text, answer.text
    if what == "topics" and "Your settings" in answer.text:
        stored = await live.bot.services.subscriptions.subscribers.topics(READER_ID)
        typed = value.replace(",", " ").split()
        if typed and value.strip().lower() not in ("all", "everything"):
            # Topics are tags: stored in the one spelling they are shown in (text.tags).
            assert set(stored) == set(normalize_tags(typed))
    assert_healthy(live.fake, caplog)


@EXAMPLES
@given(
    field=st.sampled_from(["title", "summary", "TITLE", "body", ""]),
    text=ANY_TEXT,
    article=st.sampled_from(["{id}", "#{id}", "0", "999999999999999999", "-1", "x"]),
)
@example(field="title", text="'; DROP TABLE articles; -- <b>&", article="{id}")
@example(field="summary", text=HUGE, article="{id}")
@example(field="title", text="😀" * 300, article="{id}")
async def test_edit_with_junk(
    live: Live, caplog: pytest.LogCaptureFixture, field: str, text: str, article: str
) -> None:
    target = article.format(id=live.article_id)
    answer = await live.ask(ADMIN_ID, f"/edit {target} {field} {text}")
    if answer.text.startswith("✏️"):
        row = await live.bot.storage.articles.get(live.article_id)
        assert row is not None
        stored = row.title if field.lower() == "title" else row.summary
        assert stored == (" ".join(text.split()) if field.lower() == "title" else text.strip())
    else:
        assert answer.text.startswith(("❌", "Correct an article")), answer.text
    assert_healthy(live.fake, caplog)


@EXAMPLES
@given(url=ANY_TEXT, mode=st.sampled_from(["", "auto", "review", "AUTO", "junk"]))
@example(url="http://127.0.0.1:9/feed.xml", mode="auto")
@example(url="http://10.0.0.1/feed.xml", mode="")
@example(url="ftp://example.com/feed", mode="")
@example(url="javascript:alert(1)", mode="review")
@example(url="http://[::1", mode="")
@example(url="'; DROP TABLE feeds; --", mode="auto")
async def test_feeds_add_with_junk(
    live: Live, caplog: pytest.LogCaptureFixture, url: str, mode: str
) -> None:
    # Junk hosts would mean DNS lookups; the private literals above never leave the machine.
    assume("://" not in url or url.startswith(("http://127.", "http://10.", "ftp:", "http://[")))
    answer = await live.ask(ADMIN_ID, f"/feeds add {url} {mode}")
    assert answer.text.startswith(("❌", "<code>", "The mode", "I don't understand")) or (
        "/feeds" in answer.text
    ), answer.text
    rows = await live.bot.storage.db.fetchall("SELECT url FROM feeds")
    assert rows == []  # nothing reachable was given, so nothing may be stored
    assert_healthy(live.fake, caplog)


CALLBACK_PREFIX = st.sampled_from(["pb:", "md:", "st:", "cm:", "ra:", "fd:", "", "pb:now:"])


def _cap64(data: str) -> str:
    """Telegram carries at most 64 bytes of callback data."""
    return data.encode()[:64].decode(errors="ignore") or "x"


@EXAMPLES
@given(prefix=CALLBACK_PREFIX, rest=ANY_TEXT, admin=st.booleans())
@example(prefix="pb:now:", rest="1", admin=True)
@example(prefix="md:b:", rest="1", admin=True)
@example(prefix="st:z:", rest="99999", admin=False)
@example(prefix="st:h:", rest="-1", admin=False)
@example(prefix="cm:p:", rest="1:99999999999999999999", admin=False)
@example(prefix="ra:", rest="¹²³", admin=False)
@example(prefix="", rest="totally unknown", admin=False)
async def test_forged_button_data(
    live: Live, caplog: pytest.LogCaptureFixture, prefix: str, rest: str, admin: bool
) -> None:
    fake = live.fake
    data = _cap64(prefix + rest)
    user = ADMIN_ID if admin else READER_ID
    if admin:
        on = fake.messages(ADMIN_ID)[-1] if fake.messages(ADMIN_ID) else None
        if on is None:
            on = await live.ask(ADMIN_ID, "/help")
    else:
        on = live.delivered
    query = fake.press_button(user, user, on.message_id, data, forge=True)
    await fake.wait_for_callback_answer(query, timeout=10)  # always answered, never a spinner
    assert_healthy(fake, caplog)


async def test_bot_keeps_answering_after_bad_input(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for text in ("/settings tz \x00", "/edit", "/feeds add", "/publish <", "\x00", HUGE):
        await live.ask(ADMIN_ID, text)
    await still_answers(live, caplog)


async def test_longest_comment_from_longest_name_reaches_the_admins(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    # 2000 characters is the comment limit, but an emoji is two UTF-16 units to Telegram,
    # and the admins' notice adds the title and the author's name (64 emoji here).
    author = 2003
    live.fake.add_user(author, "😀" * 64)
    await subscribe(live.fake, author)
    title = "Ferry timetable changes for the winter season on every island route" * 2
    await publish(live.bot, title, BODY, admin=None)
    article = await live.fake.wait_for_message(author, predicate=lambda m: "Ferry" in m.text)
    text = "😀" * 2000
    live.fake.send_text(author, text, reply_to=article.message_id)
    answer = await live.fake.wait_for_message(author, timeout=10)
    assert "Thanks" in answer.text
    notice = await live.fake.wait_for_message(ADMIN_ID, timeout=10)
    assert "New comment" in notice.text
    row = await live.bot.storage.db.fetchone(
        "SELECT id, text FROM comments WHERE user_id = ?", (author,)
    )
    assert row is not None and row["text"] == text  # only the notice is shortened
    # The decision is appended under the notice; a long admin name must still fit.
    admin_chat = live.fake.chats[ADMIN_ID]
    admin_chat.user = replace(live.fake.user(ADMIN_ID), first_name="😀" * 64)
    query = live.fake.press_button(ADMIN_ID, ADMIN_ID, notice.message_id, f"md:b:{row['id']}")
    await live.fake.wait_for_callback_answer(query)
    await live.fake.wait_until(
        lambda: "banned" in live.fake.bot_message(ADMIN_ID, notice.message_id).text,  # type: ignore[union-attr]
        what="decision shown under the notice",
    )
    assert_healthy(live.fake, caplog)
