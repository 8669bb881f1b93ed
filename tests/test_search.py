"""Finding articles through the real bot: /search, inline queries and the Share button."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.readers.search import fts_query
from tests.conftest import READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.helpers import publish, subscribe

HOSTILE = [
    '"unbalanced',
    "AND OR NOT",
    "NEAR(tram line, 2)",
    "title:tram",
    "* ^ - + ( )",
    "tram* OR 1=1; DROP TABLE articles",
    "🚋🚋🚋",
    "x" * 4000,
    "tram " * 800,
]


async def three_articles(bot: RunningBot) -> list[int]:
    """Publish three articles; return their ids."""
    return [
        (await publish(bot, title, body, admin=None)).id
        for title, body in (
            ("Tram line opens to the harbour", "The new tram line runs every ten minutes."),
            ("Bakery wins bread prize", "A Mill Street bakery won the national prize."),
            ("Council debates tram fares", "Councillors argued about cheaper tram fares."),
        )
    ]


async def test_search_lists_matches_as_buttons_that_open_them(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    tram, bakery, fares = await three_articles(bot)
    fake.send_text(READER_ID, "/search tram")
    found = await fake.wait_for_message(READER_ID)
    assert sorted(found.button_data()) == sorted([f"sr:{tram}", f"sr:{fares}"])
    fake.press_button(READER_ID, READER_ID, found.message_id, f"sr:{fares}")
    opened = await fake.wait_for_message(READER_ID)
    assert "Council debates tram fares" in opened.text
    assert f"cm:w:{fares}" in opened.button_data()
    # Prefix of the last word, several words meaning all of them.
    fake.send_text(READER_ID, "/search bread pri")
    assert (await fake.wait_for_message(READER_ID)).button_data() == [f"sr:{bakery}"]
    fake.send_text(READER_ID, "/search submarine")
    assert "Nothing found" in (await fake.wait_for_message(READER_ID)).text
    fake.send_text(READER_ID, "/search")
    assert "/search words" in (await fake.wait_for_message(READER_ID)).text
    # A forged result button is refused.
    query = fake.press_button(READER_ID, READER_ID, found.message_id, "sr:999", forge=True)
    assert (await fake.wait_for_callback_answer(query))["text"] == "This button has expired."
    fake.assert_no_errors()


async def test_hostile_searches_get_an_answer_never_an_error(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await three_articles(bot)
    for words in HOSTILE:
        fake.send_text(READER_ID, f"/search {words}"[:4096])
        answer = await fake.wait_for_message(READER_ID)
        assert "Nothing found" in answer.text or answer.button_data(), words
        assert "went wrong" not in answer.text
        query = fake.inline_query(READER_ID, words)
        assert isinstance((await fake.wait_for_inline_answer(query))["results"], list)
    fake.add_group(-500, "Readers' club", admins=(READER_ID,))
    fake.send_text(READER_ID, "/search tram", chat_id=-500)
    assert "private chat" in (await fake.wait_for_message(-500)).text
    fake.assert_no_errors()


async def test_inline_results_for_a_query_an_empty_query_and_an_id(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    tram, bakery, fares = await three_articles(bot)
    answer = await fake.wait_for_inline_answer(fake.inline_query(READER_ID, "tram"))
    results = {r["id"]: r for r in answer["results"]}
    assert set(results) == {f"a{tram}", f"a{fares}"}
    shared = results[f"a{tram}"]
    assert shared["title"] == "Tram line opens to the harbour"
    assert "every ten minutes" in shared["description"]
    assert "Tram line opens" in shared["input_message_content"]["message_text"]
    (button,) = shared["reply_markup"]["inline_keyboard"][0]
    assert button["url"] == f"https://t.me/{fake.bot_user.username}?start=a-{tram}"
    # An empty query offers the latest, newest first.
    latest = await fake.wait_for_inline_answer(fake.inline_query(READER_ID, ""))
    assert [r["id"] for r in latest["results"]] == [f"a{fares}", f"a{bakery}", f"a{tram}"]
    # The Share button's query is exactly one article.
    one = await fake.wait_for_inline_answer(fake.inline_query(READER_ID, f"#{bakery}"))
    assert [r["id"] for r in one["results"]] == [f"a{bakery}"]
    none = await fake.wait_for_inline_answer(fake.inline_query(READER_ID, "#99999"))
    assert none["results"] == []
    fake.assert_no_errors()


async def test_every_article_message_has_a_share_button(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    article = await publish(bot, "Ferry timetable changes")
    delivered = await fake.wait_for_message(READER_ID, predicate=lambda m: "Ferry" in m.text)
    assert delivered.reply_markup is not None
    shares = [
        b["switch_inline_query"]
        for row in delivered.reply_markup["inline_keyboard"]
        for b in row
        if "switch_inline_query" in b
    ]
    assert shares == [f"#{article.id}"]
    fake.assert_no_errors()


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    """An FTS5 table with the articles index's tokenizer."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (title, body,"
        " tokenize = 'unicode61 remove_diacritics 2')"
    )
    conn.execute("INSERT INTO t VALUES ('Tram line', 'The new tram')")
    return conn


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_any_words_make_a_valid_fts_query(fts: sqlite3.Connection, words: str) -> None:
    query = fts_query(words)
    if query is not None:
        fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (query,)).fetchall()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Tram", '"tram"*'),
        ('"tram" AND line', '"tram" "and" "line"*'),
        ("NEAR(a b)", '"near" "a" "b"*'),
        ("title:x*", '"title" "x"*'),
        ("snake_case", '"snake" "case"*'),
        ("", None),
        ("*** ---", None),
    ],
)
def test_fts_query(words: str, expected: str | None) -> None:
    assert fts_query(words) == expected
