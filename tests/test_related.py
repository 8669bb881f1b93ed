"""Related articles through the real bot: buttons on deliveries, opening them, /related."""

from __future__ import annotations

import hashlib

from storage.models import Article, NewArticle
from tests.conftest import READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage

ARCHIVE = (
    (
        "Harbour bridge closed after storm damage",
        "The harbour bridge was closed on Monday after the storm damaged its steel cables. "
        "Engineers from the harbour authority inspected the bridge cables overnight.",
    ),
    (
        "Engineers inspect storm-damaged harbour bridge",
        "Harbour authority engineers spent the night inspecting the bridge after storm winds "
        "tore at the cables. Ferries replace the bridge crossing for now.",
    ),
    (
        "Local bakery wins national bread prize",
        "A family bakery on Mill Street won the national sourdough prize. The bakers thanked "
        "their customers and promised more rye loaves.",
    ),
    (
        "Sourdough bakers celebrate bread prize",
        "Bakers from the Mill Street bakery celebrated their sourdough bread prize with free "
        "loaves for customers on Saturday.",
    ),
    (
        "Council approves cycling lanes",
        "The city council approved protected cycling lanes on three avenues, "
        "with construction starting in spring.",
    ),
)
NEW = (
    "Harbour bridge to reopen after storm repairs",
    "The harbour bridge reopens next week: engineers replaced the storm-damaged steel cables, "
    "the harbour authority said. Ferries will stop the bridge crossing service.",
)


def content_hash(title: str, body: str) -> str:
    """A stand-in for the publishing feature's hash (only uniqueness matters here)."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


async def add_article(
    bot: RunningBot, title: str, body: str, *, status: str = "archived", url: str | None = None
) -> Article:
    """Store an article directly (the archive, or a draft to publish)."""
    new = NewArticle(title=title, body=body, summary=body[:120], url=url)
    return await bot.storage.articles.create(
        new, content_hash=content_hash(title, body), status=status, now=bot.clock.now()
    )


async def publish(bot: RunningBot, title: str, body: str, url: str | None = None) -> Article:
    """Create a draft and publish it the way the publishing feature does."""
    draft = await add_article(bot, title, body, status="draft", url=url)
    await bot.services.broadcast.publish(draft.id, None)
    article = await bot.storage.articles.get(draft.id)
    assert article is not None
    await bot.services.article_changed(article)
    return article


async def subscribe(fake: FakeBotAPI, user_id: int = READER_ID) -> None:
    """/start and swallow the welcome."""
    fake.send_text(user_id, "/start")
    await fake.wait_for_message(user_id, predicate=lambda m: "ubscribed" in m.text)


async def archive_and_publish(
    fake: FakeBotAPI, bot: RunningBot
) -> tuple[list[Article], SentMessage]:
    """Store the archive, publish NEW and return the archive and the delivered message."""
    await subscribe(fake)
    stored = [
        await add_article(bot, t, b, url=f"https://news.example/{i}")
        for i, (t, b) in enumerate(ARCHIVE)
    ]
    await publish(bot, *NEW, url="https://news.example/new")
    delivered = await fake.wait_for_message(READER_ID, predicate=lambda m: "reopen" in m.text)
    return stored, delivered


def related_ids(message: SentMessage) -> list[int]:
    """Article ids of the message's ra: buttons, in order."""
    return [int(d[3:]) for d in message.button_data() if d.startswith("ra:")]


async def test_delivered_article_suggests_the_related_ones(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    stored, delivered = await archive_and_publish(fake, bot)
    suggested = related_ids(delivered)
    # Both bridge stories, best first; bakery and council stories share nothing with it.
    assert set(suggested) == {stored[0].id, stored[1].id}
    titles = [b["text"] for row in delivered.reply_markup["inline_keyboard"] for b in row]
    assert any("Harbour bridge closed" in t for t in titles)
    assert "cm:w:" in " ".join(delivered.button_data())
    fake.assert_no_errors()


async def test_pressing_a_related_button_sends_that_article_and_replies_comment(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    stored, delivered = await archive_and_publish(fake, bot)
    target = related_ids(delivered)[0]
    query = fake.press_button(READER_ID, READER_ID, delivered.message_id, f"ra:{target}")
    opened = await fake.wait_for_message(READER_ID)
    await fake.wait_for_callback_answer(query)
    article = next(a for a in stored if a.id == target)
    assert article.title in opened.text
    assert any(d.startswith("cm:w:") for d in opened.button_data())  # its own buttons
    assert target not in related_ids(opened)  # never itself
    mapped = await bot.storage.deliveries.article_for_message(READER_ID, opened.message_id)
    assert mapped == [target]
    # A reply to the opened article is a comment on it.
    fake.send_text(READER_ID, "Glad it's fixed", reply_to=opened.message_id)
    await fake.wait_for_message(READER_ID, predicate=lambda m: "comment" in m.text)
    assert bot.services.comments is not None
    assert await bot.services.comments.count(target) == 1
    fake.assert_no_errors()


async def test_forged_and_foreign_article_buttons_are_refused(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    stored, delivered = await archive_and_publish(fake, bot)
    bakery = stored[2].id  # a real article, but not among this message's buttons
    for data in (f"ra:{bakery}", "ra:99999", "ra:x", "ra:"):
        query = fake.press_button(READER_ID, READER_ID, delivered.message_id, data, forge=True)
        answer = await fake.wait_for_callback_answer(query)
        assert answer["text"] == "This button has expired."
    # The welcome message is not an article: even a genuine-looking button there is refused.
    sent_before = len([m for m in fake.sent if m.chat_id == READER_ID])
    welcome = next(m for m in fake.sent if m.chat_id == READER_ID and "Welcome" in m.text)
    query = fake.press_button(
        READER_ID, READER_ID, welcome.message_id, f"ra:{stored[0].id}", forge=True
    )
    await fake.wait_for_callback_answer(query)
    assert len([m for m in fake.sent if m.chat_id == READER_ID]) == sent_before
    assert await bot.storage.deliveries.messages_of_article(bakery) == []


async def test_related_command_lists_links(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    stored, delivered = await archive_and_publish(fake, bot)
    fake.send_text(READER_ID, "/related", reply_to=delivered.message_id)
    answer = await fake.wait_for_message(READER_ID)
    assert "You may also like" in answer.text
    assert stored[0].title in answer.text and stored[1].title in answer.text
    assert "bakery" not in answer.text.lower()
    assert 'href="https://news.example/0"' in answer.raw_text
    fake.send_text(READER_ID, "/related")
    usage = await fake.wait_for_message(READER_ID)
    assert "Reply to an article" in usage.text
    fake.send_text(READER_ID, "hello")
    hint_target = await fake.wait_for_message(READER_ID)
    fake.send_text(READER_ID, "/related", reply_to=hint_target.message_id)
    not_article = await fake.wait_for_message(READER_ID)
    assert "isn't a published article" in not_article.text
    fake.assert_no_errors()


async def test_digest_buttons_open_articles(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    await subscribe(fake)
    fake.send_text(READER_ID, "/settings digest 10")
    await fake.wait_for_message(READER_ID)
    first = await publish(bot, *ARCHIVE[0])
    second = await publish(bot, *ARCHIVE[2])
    from datetime import timedelta

    bot.clock.advance(timedelta(hours=2))
    bot.services.engine.wake()
    digest = await fake.wait_for_message(READER_ID, predicate=lambda m: "digest" in m.text)
    assert digest.button_data() == [f"ra:{first.id}", f"ra:{second.id}"]
    # A reply to the digest is ambiguous: the reader is told to open the article first.
    fake.send_text(READER_ID, "Which one?", reply_to=digest.message_id)
    hint = await fake.wait_for_message(READER_ID)
    assert "several articles" in hint.text
    fake.press_button(READER_ID, READER_ID, digest.message_id, f"ra:{second.id}")
    opened = await fake.wait_for_message(READER_ID)
    assert ARCHIVE[2][0] in opened.text
    fake.assert_no_errors()
