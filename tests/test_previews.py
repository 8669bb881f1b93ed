"""Previews say what they are: a preview, whom it reaches now and in digests, no dead buttons."""

from __future__ import annotations

from bot.services.text.formatting import MESSAGE_LIMIT, visible_len
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage
from tests.fakes.telegram_html import telegram_len
from tests.fixtures.site import PAGES, serve_site
from tests.helpers import drained, subscribe

DIGEST_READER, SPORT_READER, GONE_READER = 2002, 2003, 2004
CHANNEL = -1001234567890
IMAGE = "https://ledger.example.org/media/2024/05/tide-mill.jpg"  # the page's og:image
BODY = (
    "The council met on Tuesday evening and agreed a plan for the old harbour wall. "
    "Work starts in spring and should take about six months, the engineers said."
)


def is_preview(msg: SentMessage) -> bool:
    return any(data.startswith("pb:now:") for data in msg.button_data())


async def draft(fake: FakeBotAPI, text: str) -> tuple[SentMessage, int]:
    """The admin sends /publish; return the preview and the draft's id."""
    fake.send_text(ADMIN_ID, f"/publish {text}")
    shown = await fake.wait_for_message(ADMIN_ID, predicate=is_preview, timeout=10)
    data = next(d for d in shown.button_data() if d.startswith("pb:now:"))
    return shown, int(data.rsplit(":", 1)[1])


async def readers(fake: FakeBotAPI) -> None:
    """One reader of everything, one digest reader, one who follows only sport, one gone."""
    for reader in (READER_ID, DIGEST_READER, SPORT_READER, GONE_READER):
        await subscribe(fake, reader)
    for reader, command in (
        (DIGEST_READER, "/settings digest 18"),
        (SPORT_READER, "/settings topics sport"),
        (GONE_READER, "/stop"),
    ):
        fake.send_text(reader, command)
        await fake.wait_for_message(reader)


async def queued(bot: RunningBot, article_id: int) -> dict[str, int]:
    rows = await bot.storage.db.fetchall(
        "SELECT kind, count(*) AS n FROM deliveries WHERE article_id = ? GROUP BY kind",
        (article_id,),
    )
    return {r["kind"]: r["n"] for r in rows}


async def test_preview_says_it_is_one_and_counts_what_publishing_does(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await readers(fake)
    shown, article_id = await draft(fake, f"Harbour wall agreed\n{BODY}\ntags: politics")
    first, second = shown.text.splitlines()[:2]
    assert first == f"👁 Preview of draft #{article_id}: not sent to anyone yet."
    # Everything-reader at once, the digest reader later; not the sport-only or gone reader.
    assert second == (
        "👥 Publishing it reaches 1 reader at once and 1 reader in their daily digest."
    )
    assert "From the feed" not in shown.text  # typed by the admin, not from a feed
    # No reader buttons on a draft: Comment or related reading would do nothing yet.
    assert not [d for d in shown.button_data() if not d.startswith("pb:")]
    query = fake.press_button(ADMIN_ID, ADMIN_ID, shown.message_id, f"pb:now:{article_id}")
    await fake.wait_for_callback_answer(query)
    await fake.wait_for_message(READER_ID, predicate=lambda m: "Harbour wall" in m.text)
    await drained(bot)
    assert await queued(bot, article_id) == {"instant": 1, "digest": 1}  # what it said
    fake.assert_no_errors()


async def test_scheduled_preview_keeps_no_dead_reader_buttons(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    await start_bot()
    await subscribe(fake, READER_ID)
    shown, article_id = await draft(fake, f"Pier reopens\n{BODY}")
    assert "reaches 1 reader at once and 0 readers in their daily digest" in shown.text
    query = fake.press_button(ADMIN_ID, ADMIN_ID, shown.message_id, f"pb:h1:{article_id}")
    await fake.wait_for_callback_answer(query)
    await fake.wait_until(lambda: not any(d.startswith("pb:") for d in shown.button_data()))
    # Scheduled, not published: still no Comment or related buttons under it.
    assert shown.button_data() == []
    assert "Pier reopens" in shown.text and "Preview of draft" not in shown.text
    fake.assert_no_errors()


async def test_preview_of_the_longest_article_still_fits(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    await start_bot()
    title = "Harbour " * 60  # cut to the 300-character headline limit when stored
    shown, _ = await draft(fake, f"{title}\n{'A long sentence about the harbour. ' * 400}")
    assert shown.text.startswith("👁 Preview of draft")
    assert visible_len(shown.raw_text) <= MESSAGE_LIMIT
    fake.assert_no_errors()


async def test_photo_card_preview_carries_the_header_in_its_caption(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    fake.add_web_image(IMAGE)
    async with serve_site() as site:
        site.pages["/harbour"] = (PAGES / "article_boilerplate.html").read_bytes()
        await start_bot(ARTICLE_STYLE="photo", SECTIONS="Politics, Sport")
        await subscribe(fake, READER_ID)
        fake.send_text(ADMIN_ID, f"/publish {site.url('/harbour')}")
        shown = await fake.wait_for_message(ADMIN_ID, predicate=is_preview, timeout=10)
    assert shown.method == "sendPhoto"
    assert shown.caption.startswith("👁 Preview of draft")
    assert "reaches 1 reader at once" in shown.caption and "old tide mill" in shown.caption
    assert telegram_len(shown.caption) <= 1024
    assert not [d for d in shown.button_data() if not d.startswith("pb:")]
    article_id = int(next(d for d in shown.button_data() if d.startswith("pb:now:"))[7:])
    # A section toggle edits the photo card's caption in place.
    fake.press_button(ADMIN_ID, ADMIN_ID, shown.message_id, f"pb:s:{article_id}:0")
    await fake.wait_until(lambda: "#politics (tap to change)" in shown.caption, what="caption")
    query = fake.press_button(ADMIN_ID, ADMIN_ID, shown.message_id, f"pb:now:{article_id}")
    await fake.wait_for_callback_answer(query)
    card = await fake.wait_for_message(READER_ID, predicate=lambda m: "tide mill" in m.caption)
    assert card.method == "sendPhoto" and shown.caption.endswith(card.caption)
    fake.assert_no_errors()


async def test_preview_says_the_article_goes_to_the_channel(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    fake.add_channel(CHANNEL, "City News", "citynews")
    await start_bot(CHANNEL_ID="@citynews")
    shown, _ = await draft(fake, f"Bridge opens\n{BODY}")
    assert "and is posted in the channel City News." in shown.text
    fake.assert_no_errors()
