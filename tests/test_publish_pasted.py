"""/publish with a whole copied page as text, through the bot: the headline, byline and date
are recognised, site furniture stays out of the article, and the summary reads on its own."""

# The page is written with typographic quotes on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

from tests.conftest import ADMIN_ID, READER_ID, BotFactory
from tests.fakes.botapi import FakeBotAPI
from tests.test_handlers_articles import press, withdraw
from tests.test_handlers_publish import is_preview
from tests.test_services_summarize import CATHEDRAL, CATHEDRAL_TITLE

HEADLINE = "“I’m not going to die for Putin”: how Uzbeks escaped the conscription"
FIGHT = "Russian recruiters called on migrants from Central Asia to enlist in the army and fight"
PAGE = f"""Home › World › Central Asia
{HEADLINE}”
By Jane Roe | November 28, 2022
Share on Facebook

The government of Uzbekistan warned its citizens against fighting in foreign wars.
{FIGHT} against the Ukrainians

Hundreds of thousands of Russian citizens have fled the country since the mobilisation.
Subscribe to our newsletter
Many of them crossed into Kazakhstan, Georgia and Uzbekistan within a few weeks.
You may also like
Kyrgyz migrants queue for passports in Moscow
Leave a Comment
"""


async def test_a_pasted_page_is_cleaned_like_a_fetched_one(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.send_text(READER_ID, "/start")
    await fake.wait_for_message(READER_ID)
    fake.send_text(ADMIN_ID, f"/publish {PAGE}")
    shown = await fake.wait_for_message(ADMIN_ID, predicate=is_preview, timeout=10)
    article_id = int(next(d for d in shown.button_data() if d.startswith("pb:now:"))[7:])
    article = await bot.storage.articles.get(article_id)
    assert article is not None
    assert article.title == HEADLINE and article.author == "Jane Roe"
    for furniture in ("Home ›", "Share on", "Subscribe", "You may also like", "Kyrgyz", "Comment"):
        assert furniture not in article.body
    assert article.body.startswith("The government of Uzbekistan")
    assert "Ukrainians Hundreds" not in article.summary
    assert "conscription” The government" not in article.summary
    assert "By Jane Roe · 28 Nov 2022" in shown.text  # the page's date, not today's
    await press(fake, shown, "now", article_id)
    delivered = await fake.wait_for_message(READER_ID)
    assert delivered.text.startswith(HEADLINE) and "28 Nov 2022" in delivered.text
    result = await withdraw(fake, article_id, "Withdrew")
    assert f"Withdrew #{article_id} {HEADLINE}." in result.text  # no doubled quotes
    fake.assert_no_errors()


async def test_a_summary_reads_on_its_own(fake: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    fake.send_text(ADMIN_ID, f"/publish {CATHEDRAL_TITLE}\n" + "\n".join(CATHEDRAL))
    shown = await fake.wait_for_message(ADMIN_ID, predicate=is_preview, timeout=10)
    article_id = int(next(d for d in shown.button_data() if d.startswith("pb:now:"))[7:])
    article = await bot.storage.articles.get(article_id)
    assert article is not None
    # "She said ..." is shown only after the sentence that names her.
    assert article.summary == " ".join([CATHEDRAL[0], *CATHEDRAL[2:4]])
    assert article.summary in shown.text
    fake.assert_no_errors()
