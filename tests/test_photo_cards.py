"""ARTICLE_STYLE=photo: articles with a lead image go out as photo cards, through the real
bot and the fake Bot API (which fetches photos only from URLs it serves and checks captions
as Telegram does: at most 1,024 characters after HTML parsing)."""

from __future__ import annotations

import asyncio

from tests.conftest import ADMIN_ID, READER_ID, BotFactory
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.telegram_html import telegram_len
from tests.helpers import drained, publish, subscribe

IMAGE = "https://news.example/img/harbour.jpg"
URL = "https://news.example/harbour-wall"
SENTENCE = "The harbour wall will be rebuilt with stone from the old quarry near the town. "


async def test_article_with_image_is_a_photo_card(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    fake.add_web_image(IMAGE)
    bot = await start_bot(ARTICLE_STYLE="photo")
    await subscribe(fake, READER_ID)
    article = await publish(bot, "Harbour wall <rebuilt>", url=URL, image_url=IMAGE)
    card = await fake.wait_for_message(READER_ID)
    assert card.method == "sendPhoto"
    assert card.document is not None and card.document.data.startswith(b"\xff\xd8")
    assert card.caption.startswith("Harbour wall <rebuilt>")
    assert "Read the full article" in card.caption
    assert any(e.get("url") == URL for e in card.entities)
    assert any(d.startswith("cm:") for d in card.button_data())  # reader buttons stay
    await drained(bot)
    assert not (await bot.storage.articles.get(article.id)).photo_refused  # type: ignore[union-attr]
    fake.assert_no_errors()


async def test_without_image_or_in_preview_style_articles_are_text(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    fake.add_web_image(IMAGE)
    bot = await start_bot()  # ARTICLE_STYLE defaults to preview
    await subscribe(fake, READER_ID)
    await publish(bot, "Preview style", url=URL, image_url=IMAGE)
    msg = await fake.wait_for_message(READER_ID)
    assert msg.method == "sendMessage"
    assert msg.link_preview_options == {"url": URL, "prefer_large_media": True}
    fake.assert_no_errors()


async def test_no_image_means_text_even_in_photo_style(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot(ARTICLE_STYLE="photo")
    await subscribe(fake, READER_ID)
    await publish(bot, "No picture", url=URL)
    assert (await fake.wait_for_message(READER_ID)).method == "sendMessage"
    fake.assert_no_errors()


async def test_long_summary_is_cut_at_a_sentence_within_the_caption_limit(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    fake.add_web_image(IMAGE)
    bot = await start_bot(ARTICLE_STYLE="photo")
    await subscribe(fake, READER_ID)
    # 40 sentences with markup-like characters, far beyond the 1,024-character caption.
    summary = "".join(f"Claim {i} <b>&amp; counter-claim</b>. " for i in range(40)) + SENTENCE * 5
    await publish(
        bot, "Long story " + "x" * 100, url=URL, image_url=IMAGE, summary=summary.strip()
    )
    card = await fake.wait_for_message(READER_ID)
    assert card.method == "sendPhoto"
    assert telegram_len(card.caption) <= 1024
    body = card.caption.split("\n\n")[1]
    assert body.endswith("counter-claim</b>.")  # a whole sentence, escaped text intact
    assert "Claim 0 <b>&amp; counter-claim</b>." in body
    assert "Read the full article" in card.caption
    fake.assert_no_errors()


async def test_refused_photo_goes_as_text_after_one_failed_call(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    # The fake serves no image at IMAGE: Telegram cannot fetch it.
    bot = await start_bot(ARTICLE_STYLE="photo")
    readers = [READER_ID, 2002, 2003, 2004, 2005]
    for reader in readers:
        await subscribe(fake, reader)
    article = await publish(bot, "Broken picture", url=URL, image_url=IMAGE)
    for reader in readers:
        msg = await fake.wait_for_message(reader)
        assert msg.method == "sendMessage" and msg.text.startswith("Broken picture")
        assert msg.link_preview_options == {"url": URL, "prefer_large_media": True}
    await drained(bot)
    refused = [r for r in fake.rejected if r.method.lower() == "sendphoto"]
    assert len(refused) == 1 and "failed to get HTTP URL content" in refused[0].description
    stored = await bot.storage.articles.get(article.id)
    assert stored is not None and stored.photo_refused
    assert (await bot.storage.deliveries.counts(article.id)).sent == len(readers)
    # A reader subscribing later gets text at once: the choice is kept.
    await subscribe(fake, 2006)
    await bot.services.broadcast.publish(article.id)  # no longer a draft: nothing happens
    assert len([r for r in fake.rejected if r.method.lower() == "sendphoto"]) == 1


async def test_not_an_image_is_refused_too(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    fake.add_web_image(IMAGE, b"<html>not a picture</html>")
    bot = await start_bot(ARTICLE_STYLE="photo")
    await subscribe(fake, READER_ID)
    await publish(bot, "HTML instead of JPEG", url=URL, image_url=IMAGE)
    assert (await fake.wait_for_message(READER_ID)).method == "sendMessage"
    assert [r.description for r in fake.rejected] == [
        "Bad Request: wrong type of the web page content"
    ]


async def test_edit_changes_the_caption_of_photo_cards(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    fake.add_web_image(IMAGE)
    bot = await start_bot(ARTICLE_STYLE="photo")
    await subscribe(fake, READER_ID)
    article = await publish(bot, "Old headline", url=URL, image_url=IMAGE)
    card = await fake.wait_for_message(READER_ID)
    await drained(bot)
    fake.send_text(ADMIN_ID, f"/edit {article.id} title New headline")
    answer = await fake.wait_for_message(
        ADMIN_ID, predicate=lambda m: "edited" in m.text.lower() or "updated" in m.text.lower()
    )
    assert "1" in answer.text
    edited = fake.bot_message(READER_ID, card.message_id)
    assert edited is not None and edited.caption.startswith("New headline")
    assert edited.edited == [card.caption] or edited.edited[0].startswith("Old headline")
    assert any(r.method == "editMessageCaption" for r in fake.requests)
    fake.assert_no_errors()


async def test_edit_of_a_card_sent_as_text_after_a_style_change(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    """A message's kind is not stored: an edit that meets the other kind tries again."""
    fake.add_web_image(IMAGE)
    bot = await start_bot()  # preview style: the article goes as text
    await subscribe(fake, READER_ID)
    article = await publish(bot, "Text first", url=URL, image_url=IMAGE)
    msg = await fake.wait_for_message(READER_ID)
    await drained(bot)
    bot.services.composer.style = "photo"  # as if restarted with ARTICLE_STYLE=photo
    bot.services.composer.invalidate(article.id)
    fake.send_text(ADMIN_ID, f"/edit {article.id} title Then a photo style")
    await fake.wait_until(
        lambda: fake.bot_message(READER_ID, msg.message_id).text.startswith("Then a photo"),  # type: ignore[union-attr]
        what="text message edited",
    )
    await asyncio.sleep(0.1)
    kinds = [r.description for r in fake.rejected]
    assert kinds == ["Bad Request: there is no caption in the message to edit"]
