"""/publish through the fake Bot API: every form, preview, confirm, schedule, refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.fixtures.site import PAGES, Site, serve_site

BODY = (
    "The council met on Tuesday evening and agreed a plan for the old harbour wall. "
    "Work starts in spring and should take about six months, the engineers said.\n"
    "Residents asked for the footpath to stay open during the works. #politics"
)
OTHER_READER = 2002


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async with serve_site() as running:
        running.pages["/tide-mill"] = (PAGES / "article_boilerplate.html").read_bytes()
        running.pages["/login"] = (PAGES / "no_article.html").read_bytes()
        yield running


async def subscribe(fake: FakeBotAPI, *readers: int) -> None:
    for reader in readers:
        fake.send_text(reader, "/start")
        await fake.wait_for_message(reader)


def is_preview(msg: SentMessage) -> bool:
    return any(data.startswith("pb:now:") for data in msg.button_data())


async def preview(fake: FakeBotAPI) -> tuple[SentMessage, int]:
    msg = await fake.wait_for_message(ADMIN_ID, predicate=is_preview, timeout=10)
    data = next(d for d in msg.button_data() if d.startswith("pb:now:"))
    return msg, int(data.rsplit(":", 1)[1])


async def article_count(bot: RunningBot) -> int:
    row = await bot.storage.db.fetchone("SELECT count(*) AS n FROM articles")
    assert row is not None
    return int(row["n"])


async def confirm(fake: FakeBotAPI, msg: SentMessage, action: str, article_id: int) -> dict:
    query = fake.press_button(ADMIN_ID, ADMIN_ID, msg.message_id, f"pb:{action}:{article_id}")
    return await fake.wait_for_callback_answer(query)


async def test_url_preview_is_what_subscribers_get(
    fake: FakeBotAPI, start_bot: BotFactory, site: Site
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.send_text(ADMIN_ID, f"/publish {site.url('/tide-mill')}")
    shown, article_id = await preview(fake)
    assert "Harbour town votes to restore its old tide mill" in shown.text
    assert "Sign up to our free morning newsletter" not in shown.text  # boilerplate dropped
    assert {f"pb:{a}:{article_id}" for a in ("now", "h1", "tm", "x")} <= set(shown.button_data())
    draft = await bot.storage.articles.get(article_id)
    assert draft is not None and draft.status == "draft" and "heritage" in draft.tags
    assert fake.messages(READER_ID)[-1].text.startswith("👋")  # nothing delivered yet
    answer = await confirm(fake, shown, "now", article_id)
    assert "Publishing" in (answer["text"] or "")
    delivered = await fake.wait_for_message(READER_ID)
    assert "14 May 2024" in delivered.text  # the page's own date, not the day of /publish
    # The preview is the reader's message under a header saying what it is.
    assert shown.text.startswith("👁 Preview of draft") and shown.text.endswith(delivered.text)
    published = await bot.storage.articles.get(article_id)
    assert published is not None and published.status == "published"
    # The admin buttons are gone from the preview once decided.
    await fake.wait_until(
        lambda: (
            not any(
                d.startswith("pb:")
                for d in fake.bot_message(ADMIN_ID, shown.message_id).button_data()
            )
        ),
        what="admin buttons removed",
    )
    fake.assert_no_errors()


async def test_page_without_article_gets_a_clear_answer(
    fake: FakeBotAPI, start_bot: BotFactory, site: Site
) -> None:
    bot = await start_bot()
    fake.send_text(ADMIN_ID, f"/publish {site.url('/login')}")
    answer = await fake.wait_for_message(ADMIN_ID, timeout=10)
    assert "No article found" in answer.text
    fake.send_text(ADMIN_ID, f"/publish {site.url('/missing')}")
    answer = await fake.wait_for_message(ADMIN_ID, timeout=10)
    assert "404" in answer.text
    assert await article_count(bot) == 0


async def test_text_form_with_tags_reaches_topic_subscribers(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.add_user(OTHER_READER, "Otto")
    await subscribe(fake, READER_ID, OTHER_READER)
    fake.send_text(OTHER_READER, "/settings topics sport")
    await fake.wait_for_message(OTHER_READER)
    fake.send_text(ADMIN_ID, f"/publish Harbour wall <repairs> agreed\n{BODY}\ntags: Town Hall")
    shown, article_id = await preview(fake)
    assert "Harbour wall &lt;repairs&gt; agreed" in shown.raw_text
    article = await bot.storage.articles.get(article_id)
    assert article is not None and set(article.tags) == {"politics", "town_hall"}
    await confirm(fake, shown, "now", article_id)
    delivered = await fake.wait_for_message(READER_ID)
    assert "Harbour wall <repairs> agreed" in delivered.text
    await fake.wait_until(lambda: bool(bot.services.engine.sent), what="delivery")
    counts = await bot.storage.deliveries.counts(article_id)
    assert counts.sent == 1  # the sport-only reader was not sent a politics article
    fake.assert_no_errors()


async def test_reply_to_a_message_publishes_its_text(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    await start_bot()
    forwarded = fake.send_text(ADMIN_ID, f"Ferry timetable changes\n{BODY}")
    fake.send_text(ADMIN_ID, "/publish", reply_to=forwarded["message_id"])
    shown, _ = await preview(fake)
    assert "Ferry timetable changes" in shown.text


@pytest.mark.parametrize(
    ("filename", "data", "title"),
    [
        ("note.txt", f"Lighthouse repainted\n{BODY}".encode(), "Lighthouse repainted"),
        ("note.md", f"# Pier reopens\n\n{BODY}".encode(), "Pier reopens"),
        ("page.html", (PAGES / "article_boilerplate.html").read_bytes(), "old tide mill"),
    ],
)
async def test_reply_to_a_document(
    fake: FakeBotAPI, start_bot: BotFactory, filename: str, data: bytes, title: str
) -> None:
    await start_bot()
    upload = fake.send_document(ADMIN_ID, filename, data)
    fake.send_text(ADMIN_ID, "/publish", reply_to=upload["message_id"])
    shown, _ = await preview(fake)
    assert title in shown.text
    fake.assert_no_errors()


async def test_document_with_publish_caption_and_bad_type(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.send_document(
        ADMIN_ID, "story.txt", f"Bus route opens\n{BODY}".encode(), caption="/publish"
    )
    shown, _ = await preview(fake)
    assert "Bus route opens" in shown.text
    upload = fake.send_document(ADMIN_ID, "story.pdf", b"%PDF-1.4")
    fake.send_text(ADMIN_ID, "/publish", reply_to=upload["message_id"])
    answer = await fake.wait_for_message(ADMIN_ID)
    assert "Unsupported file type" in answer.text
    assert await article_count(bot) == 1


async def test_non_admin_is_refused_and_nothing_is_stored(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.send_text(READER_ID, f"/publish Sneaky headline\n{BODY}")
    answer = await fake.wait_for_message(READER_ID)
    assert "only the publisher's admins" in answer.text
    assert await article_count(bot) == 0


async def test_non_admin_cannot_press_publish(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    fake.send_text(ADMIN_ID, f"/publish Council budget\n{BODY}")
    shown, article_id = await preview(fake)
    query = fake.press_button(
        READER_ID, ADMIN_ID, shown.message_id, f"pb:now:{article_id}", forge=True
    )
    answer = await fake.wait_for_callback_answer(query)
    assert "admins" in (answer["text"] or "")
    article = await bot.storage.articles.get(article_id)
    assert article is not None and article.status == "draft"


async def test_bare_publish_shows_usage(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    await start_bot()
    fake.send_text(ADMIN_ID, "/publish")
    answer = await fake.wait_for_message(ADMIN_ID)
    assert "How to publish" in answer.text


async def test_same_text_or_url_is_not_published_twice(
    fake: FakeBotAPI, start_bot: BotFactory, site: Site
) -> None:
    await start_bot()
    fake.send_text(ADMIN_ID, f"/publish Harbour wall agreed\n{BODY}")
    shown, first_id = await preview(fake)
    await confirm(fake, shown, "now", first_id)
    # Re-spaced and re-cased, it is still the same text.
    fake.send_text(ADMIN_ID, f"/publish HARBOUR  wall agreed\n{BODY.upper()}")
    answer = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "before" in m.text)
    assert f"#{first_id}" in answer.text and "Harbour wall agreed" in answer.text
    assert "30 Nov 2026" in answer.text
    url = site.url("/tide-mill")
    fake.send_text(ADMIN_ID, f"/publish {url}")
    shown, url_id = await preview(fake)
    await confirm(fake, shown, "now", url_id)
    fake.send_text(ADMIN_ID, f"/publish {url}")
    answer = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "before" in m.text)
    assert f"#{url_id}" in answer.text and "tide mill" in answer.text


async def test_unconfirmed_draft_is_replaced_not_a_duplicate(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.send_text(ADMIN_ID, f"/publish Harbour wall agreed\n{BODY}")
    old, first_id = await preview(fake)
    fake.send_text(ADMIN_ID, f"/publish Harbour wall agreed\n{BODY}")
    new, second_id = await preview(fake)
    assert await article_count(bot) == 1
    # The replaced preview's buttons no longer act, even if SQLite reused the id.
    query = fake.press_button(ADMIN_ID, ADMIN_ID, old.message_id, f"pb:now:{first_id}")
    assert "expired" in ((await fake.wait_for_callback_answer(query))["text"] or "")
    article = await bot.storage.articles.get(second_id)
    assert article is not None and article.status == "draft"
    await confirm(fake, new, "now", second_id)
    article = await bot.storage.articles.get(second_id)
    assert article is not None and article.status == "published"


async def test_cancel_discards_the_draft(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    fake.send_text(ADMIN_ID, f"/publish Harbour wall agreed\n{BODY}")
    shown, article_id = await preview(fake)
    await confirm(fake, shown, "x", article_id)
    assert await bot.storage.articles.get(article_id) is None
    await fake.wait_until(lambda: "discarded" in fake.bot_message(ADMIN_ID, shown.message_id).text)
    # A stale button from the old preview is refused and changes nothing.
    query = fake.press_button(
        ADMIN_ID, ADMIN_ID, shown.message_id, f"pb:now:{article_id}", forge=True
    )
    answer = await fake.wait_for_callback_answer(query)
    assert "expired" in (answer["text"] or "")
    assert len(fake.messages(READER_ID)) == 1
    fake.assert_no_errors()


async def test_schedule_in_one_hour_fires_on_time(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    bot = await start_bot(clock=clock, TIMEZONE="Europe/Berlin")
    await subscribe(fake, READER_ID)
    fake.send_text(ADMIN_ID, f"/publish Harbour wall agreed\n{BODY}")
    shown, article_id = await preview(fake)
    answer = await confirm(fake, shown, "h1", article_id)
    assert "11:00 CET" in (answer["text"] or "")  # 10:00 UTC shown in the admin's zone
    article = await bot.storage.articles.get(article_id)
    assert article is not None and article.status == "scheduled"
    assert article.scheduled_at == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    clock.advance(timedelta(minutes=59))
    await bot.services.publishing.publish_due()
    assert len(fake.messages(READER_ID)) == 1  # not yet
    clock.advance(timedelta(minutes=2))
    delivered = await fake.wait_for_message(READER_ID, timeout=10)  # the job publishes it
    assert "Harbour wall agreed" in delivered.text
    fake.assert_no_errors()


async def test_typed_schedule_and_tomorrow_button(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    bot = await start_bot(clock=clock)
    await subscribe(fake, READER_ID)
    fake.send_text(ADMIN_ID, f"/publish at 2026-12-01 08:00 Harbour wall agreed\n{BODY}")
    shown, article_id = await preview(fake)
    assert f"pb:at:{article_id}" in shown.button_data()
    await confirm(fake, shown, "at", article_id)
    article = await bot.storage.articles.get(article_id)
    assert article is not None and article.scheduled_at == datetime(2026, 12, 1, 8, tzinfo=UTC)
    fake.send_text(ADMIN_ID, f"/publish Second story\n{BODY} More.")
    shown, second_id = await preview(fake)
    await confirm(fake, shown, "tm", second_id)
    second = await bot.storage.articles.get(second_id)
    assert second is not None and second.scheduled_at == datetime(2026, 12, 1, 8, tzinfo=UTC)
    clock.set(datetime(2026, 12, 1, 8, 0, 5, tzinfo=UTC))
    first = await fake.wait_for_message(READER_ID, timeout=10)
    other = await fake.wait_for_message(READER_ID, timeout=10)
    assert {"Harbour wall agreed" in first.text, "Second story" in other.text} == {True}


async def test_typed_schedule_in_the_past_is_refused(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.send_text(ADMIN_ID, f"/publish at 2020-01-01 08:00 Old news\n{BODY}")
    answer = await fake.wait_for_message(ADMIN_ID)
    assert "already passed" in answer.text
    fake.send_text(ADMIN_ID, f"/publish at someday Old news\n{BODY}")
    answer = await fake.wait_for_message(ADMIN_ID)
    assert "could not read" in answer.text
    assert await article_count(bot) == 0


async def test_headline_starting_with_at_is_text_not_a_schedule(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.send_text(ADMIN_ID, f"/publish At least 40 rescued from the flood\n{BODY}")
    preview = await fake.wait_for_message(ADMIN_ID)
    assert "At least 40 rescued from the flood" in preview.text
    assert await article_count(bot) == 1
