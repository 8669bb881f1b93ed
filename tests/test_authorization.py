"""Every admin command and button, from a non-admin in a private chat and in a group: refused,
and not one row of SQLite changed. Adding a command or button is one line in a matrix below;
a test fails when the bot registers an admin-only command or a button prefix not listed here.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.handlers.help import ADMIN_HELP
from storage.retention import LAST_PRUNE
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.fixtures.hardening import TableSnapshot, assert_healthy, snapshot
from tests.fixtures.site import Site, article_page, rss, serve_site
from tests.helpers import drained, publish

GROUP_ID = -100_777
BANNED_ID = 4242
REFUSED = "only the publisher's admins"
STORY = "Sneaky headline\nThe body of a story a reader should never be able to publish."

# Admin commands as a non-admin would type them. {article} is a published article, {draft} a
# draft with a live preview, {url} a page and {feed_url} a feed the bot could fetch.
ADMIN_COMMANDS: list[str] = [
    f"/publish {STORY}",
    "/publish {url}",
    f"/publish at 2026-12-01 08:00 {STORY}",
    f"/publish@newsbot_test_bot {STORY}",
    "/articles",
    "/edit {article} title Hacked title",
    "/edit {article} summary Hacked summary",
    "/unpublish {article}",
    "/unpublish {draft}",
    "/feeds",
    "/feeds add {feed_url} auto",
    "/feeds remove 1",
    "/ban {admin}",
    "/unban {banned}",
    "/stats",
]
# Buttons a non-admin could press (forged data, or a message forwarded from an admin).
ADMIN_BUTTONS: list[str] = [
    "pb:now:{draft}",
    "pb:h1:{draft}",
    "pb:tm:{draft}",
    "pb:at:{draft}",
    "pb:x:{draft}",
    "pb:s:{draft}:0",
    "md:a:{comment}",
    "md:r:{comment}",
    "md:h:{comment}",
    "md:b:{comment}",
    "uw:y:{article}",
    "uw:n:{article}",
]
# Button prefixes anyone may press (they act only on the presser's own chat).
READER_BUTTON_PREFIXES = {"st:", "cm:", "ra:", "sr:"}


@dataclass
class World:
    """A bot with a draft, a published article, a comment, a feed and a banned user."""

    fake: FakeBotAPI
    bot: RunningBot
    site: Site
    ids: dict[str, str]
    private_article: SentMessage
    group_article: SentMessage
    preview: SentMessage
    notice: SentMessage

    def fill(self, template: str) -> str:
        """The command or button data with the world's ids put in."""
        return template.format(**self.ids)


async def _settled(world_bot: RunningBot) -> TableSnapshot:
    """A snapshot once background work (deliveries, progress reports, prune) has stopped."""
    before = await snapshot(world_bot.storage.db)
    for _ in range(100):
        await asyncio.sleep(0.1)
        after = await snapshot(world_bot.storage.db)
        # The progress job closes a finished broadcast on its own schedule, possibly after
        # the deliveries look settled: wait for it too, or it lands between two snapshots.
        # Likewise the daily prune's first run, which records its time.
        pruned = await world_bot.services.retention.repo.get_state(LAST_PRUNE)
        if (
            after == before
            and pruned is not None
            and not await world_bot.storage.deliveries.open_broadcasts()
        ):
            return after
        before = after
    raise AssertionError("the database never settled")


@pytest.fixture
async def world(fake: FakeBotAPI, start_bot: BotFactory) -> AsyncIterator[World]:
    """Everything an admin command or button could act on, created by the admin."""
    async with serve_site() as site:
        site.pages["/page"] = article_page("Page title", ["A paragraph of the story. " * 20])
        site.feed = rss([("g1", site.url("/page"), "Page title")])
        bot = await start_bot()
        fake.add_group(GROUP_ID, "Harbour chat", admins=(READER_ID,))
        for chat in (READER_ID, GROUP_ID):
            fake.send_text(READER_ID, "/start", chat_id=chat)
            await fake.wait_for_message(chat)
        article = await publish(bot, "Harbour wall agreed", admin=None)
        private = await fake.wait_for_message(READER_ID, predicate=lambda m: "Harbour" in m.text)
        group = await fake.wait_for_message(GROUP_ID, predicate=lambda m: "Harbour" in m.text)
        fake.send_text(READER_ID, "Great news for the town", reply_to=private.message_id)
        await fake.wait_for_message(READER_ID, predicate=lambda m: "Thanks" in m.text)
        notice = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "md:" in str(m))
        fake.send_text(ADMIN_ID, "/publish Draft story\nA draft the admin has not decided on.")
        preview = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "pb:" in str(m))
        draft = next(d for d in preview.button_data() if d.startswith("pb:now:"))[7:]
        fake.send_text(ADMIN_ID, f"/feeds add {site.url('/feed.xml')} review")
        await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "Added feed" in m.text)
        fake.send_text(ADMIN_ID, f"/ban {BANNED_ID}")
        await fake.wait_for_message(ADMIN_ID, predicate=lambda m: str(BANNED_ID) in m.text)
        await drained(bot)
        comment = await bot.storage.db.fetchone("SELECT id FROM comments")
        assert comment is not None
        ids = {
            "article": str(article.id),
            "draft": draft,
            "comment": str(comment["id"]),
            "url": site.url("/page"),
            "feed_url": site.url("/feed.xml"),
            "admin": str(ADMIN_ID),
            "banned": str(BANNED_ID),
        }
        yield World(fake, bot, site, ids, private, group, preview, notice)


async def _refused_command(world: World, chat: int, command: str) -> str | None:
    """Send a command as the reader; the problem, or None if refused as it should be."""
    fake = world.fake
    fake.send_text(READER_ID, world.fill(command), chat_id=chat)
    answer = await fake.wait_for_message(chat, timeout=10)
    return None if REFUSED in answer.text else f"{command!r} answered {answer.text[:120]!r}"


async def _refused_button(world: World, chat: int, on: SentMessage, data: str) -> str | None:
    fake = world.fake
    query = fake.press_button(READER_ID, chat, on.message_id, world.fill(data), forge=True)
    answer = await fake.wait_for_callback_answer(query, timeout=10)
    text = str(answer.get("text") or "")
    return None if "admins" in text else f"{data!r} answered {text!r}"


@pytest.mark.parametrize("where", ["private", "group"])
async def test_non_admin_is_refused_everything_and_nothing_changes(
    world: World, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake, db = world.fake, world.bot.storage.db
    chat = READER_ID if where == "private" else GROUP_ID
    own = world.private_article if where == "private" else world.group_article
    problems: list[str] = []
    before = await _settled(world.bot)
    hits = len(world.site.hits)
    for command in ADMIN_COMMANDS:
        problems.append(await _refused_command(world, chat, command) or "")
    # /publish as a reply to a message, and as a document's caption.
    story = fake.send_text(READER_ID, STORY, chat_id=chat)
    if where == "private":  # plain text there gets the how-to-comment hint
        await fake.wait_for_message(chat, predicate=lambda m: "Reply to an article" in m.text)
    fake.send_text(READER_ID, "/publish", chat_id=chat, reply_to=story["message_id"])
    answer = await fake.wait_for_message(chat)
    problems.append("" if REFUSED in answer.text else f"reply answered {answer.text!r}")
    fake.send_document(READER_ID, "s.txt", STORY.encode(), caption="/publish", chat_id=chat)
    answer = await fake.wait_for_message(chat)
    problems.append("" if REFUSED in answer.text else f"document answered {answer.text!r}")
    for data in ADMIN_BUTTONS:
        problems.append(await _refused_button(world, chat, own, data) or "")
        if where == "private":  # the admin's own preview and notice, forwarded or replayed
            on = world.preview if data.startswith("pb:") else world.notice
            problems.append(await _refused_button(world, ADMIN_ID, on, data) or "")
    assert [p for p in problems if p] == []
    assert await _settled(world.bot) == before, "a refused command changed the database"
    assert len(world.site.hits) == hits, "a refused /publish or /feeds fetched a URL"
    assert not any("Hacked" in m.text for m in fake.sent)
    assert (await db.fetchone("SELECT status FROM articles WHERE id = ?", (world.ids["draft"],)))[
        "status"
    ] == "draft"
    assert_healthy(fake, caplog)


async def test_the_admin_gets_past_the_same_checks(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    # The same matrix from the admin is not refused: the refusal above is about who asks.
    fake = world.fake
    for command in ("/articles", "/stats", "/feeds", "/unpublish {draft}"):
        fake.send_text(ADMIN_ID, world.fill(command))
        answer = await fake.wait_for_message(ADMIN_ID, timeout=10)
        assert REFUSED not in answer.text
    query = fake.press_button(
        ADMIN_ID, ADMIN_ID, world.notice.message_id, world.fill("md:h:{comment}")
    )
    answer = await fake.wait_for_callback_answer(query)
    assert "admins" not in str(answer.get("text"))
    assert_healthy(fake, caplog)


def _registered(bot: RunningBot) -> tuple[set[str], set[str]]:
    """Commands and callback-data patterns the running Application handles."""
    commands: set[str] = set()
    patterns: set[str] = set()
    for handlers in bot.app.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                commands |= set(handler.commands)
            elif isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
                pattern = handler.pattern
                patterns.add(pattern.pattern if isinstance(pattern, re.Pattern) else str(pattern))
    return commands, patterns


def _matrix_commands() -> set[str]:
    return {re.split(r"[\s@]", c, maxsplit=1)[0].lstrip("/") for c in ADMIN_COMMANDS}


async def test_matrix_covers_every_admin_command_and_button(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    commands, patterns = _registered(bot)
    covered = _matrix_commands()
    assert covered <= commands, f"matrix lists commands the bot lacks: {covered - commands}"
    documented = set(re.findall(r"(?:^|[\s,])/([a-z_]+)", ADMIN_HELP))
    assert documented <= covered, f"admin commands missing from the matrix: {documented - covered}"
    # Any other registered command must be open to readers: ask it as one, without arguments.
    fake.add_user(9001, "Nobody")
    for command in sorted(commands - covered):
        fake.send_text(9001, f"/{command}")
        answer = await fake.wait_for_message(9001, timeout=10)
        assert REFUSED not in answer.text, f"/{command} is admin-only but not in the matrix"
    admin_prefixes = {b.split(":", 1)[0] + ":" for b in ADMIN_BUTTONS}
    for pattern in patterns:
        prefix = pattern.lstrip("^")
        assert prefix in admin_prefixes | READER_BUTTON_PREFIXES, (
            f"button prefix {prefix!r} is neither in the admin matrix nor a reader prefix"
        )
