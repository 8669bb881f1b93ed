"""Per-article analytics through the real bot: reactions, taps, comments, leaving, /stats,
and `newsbot stats --json` / `--chart` agreeing with what the readers did."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from PIL import Image

from storage.models import Engagement
from tests.conftest import ADMIN_ID, READER_ID, BotFactory, RunningBot
from tests.fakes.botapi import FakeBotAPI
from tests.helpers import drained, publish, subscribe
from tests.test_related import archive_and_publish, related_ids

OTHER_ID = 2002


async def engagement(bot: RunningBot, article_id: int) -> Engagement:
    """The article's counters as statistics read them."""
    found = await bot.services.stats.figures([article_id])
    return found[0].engagement


async def wait_for(bot: RunningBot, article_id: int, **expected: object) -> Engagement:
    """Poll the counters until they read as expected (updates are handled concurrently)."""
    current = await engagement(bot, article_id)
    for _ in range(250):
        current = await engagement(bot, article_id)
        seen = {k: getattr(current, k) for k in expected}
        if "reactions" in seen:
            seen["reactions"] = dict(current.reactions)
        if seen == expected:
            return current
        await asyncio.sleep(0.02)
    raise AssertionError(f"counters {current} never became {expected}")


async def test_reactions_are_counted_when_added_changed_and_taken_back(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    fake.add_user(OTHER_ID, "Olga")
    await subscribe(fake, READER_ID)
    await subscribe(fake, OTHER_ID)
    article = await publish(bot, "Tram line opens to the harbour")
    first = await fake.wait_for_message(READER_ID, predicate=lambda m: "Tram line" in m.text)
    second = await fake.wait_for_message(OTHER_ID, predicate=lambda m: "Tram line" in m.text)
    # A person reacts after the message arrived, by when the bot has recorded it (the record
    # follows Telegram's answer, a moment after the reader already sees the message).
    await drained(bot)
    # The bot asks for reaction updates (Telegram sends none unless asked).
    assert "message_reaction" in (fake._allowed_updates or set())

    fake.react(READER_ID, READER_ID, first.message_id, ["👍"])
    fake.react(OTHER_ID, OTHER_ID, second.message_id, ["👍", "🔥"])
    await wait_for(bot, article.id, reactions={"👍": 2, "🔥": 1})
    fake.react(READER_ID, READER_ID, first.message_id, ["❤"])  # changed
    await wait_for(bot, article.id, reactions={"👍": 1, "🔥": 1, "❤": 1})
    fake.react(OTHER_ID, OTHER_ID, second.message_id, [])  # taken back
    await wait_for(bot, article.id, reactions={"❤": 1})
    # A reaction to a message that is no article (the welcome) is counted nowhere.
    welcome = fake.messages(READER_ID)[0]
    fake.react(READER_ID, READER_ID, welcome.message_id, ["🎉"])

    fake.send_text(ADMIN_ID, f"/stats {article.id}")
    # The /stats answer, not the admin's progress message about the same article.
    shown = await fake.wait_for_message(
        ADMIN_ID, predicate=lambda m: "Tram line" in m.text and "reactions" in m.text
    )
    assert "❤ 1" in shown.text
    assert "🎉" not in shown.text and "👍" not in shown.text
    assert f"?start=a-{article.id}" in shown.text
    fake.assert_no_errors()


async def test_bad_stats_arguments_get_a_clear_answer(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    await start_bot()
    for args in ("abc", "99999", "1 2", "9" * 40, "-1"):
        fake.send_text(ADMIN_ID, f"/stats {args}")
        answer = await fake.wait_for_message(ADMIN_ID)
        assert "/stats ID" in answer.text, args
    fake.assert_no_errors()


def run_stats(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`newsbot stats ...` on the bot's database, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), "stats", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_every_signal_is_counted_and_stats_json_reports_it(
    fake: FakeBotAPI, start_bot: BotFactory, tmp_path: Path
) -> None:
    bot = await start_bot()
    _, delivered = await archive_and_publish(fake, bot)
    article_id = next(int(d[5:]) for d in delivered.button_data() if d.startswith("cm:w:"))
    await drained(bot)

    # A tap on a "You may also like" suggestion counts under the article it was shown with.
    target = related_ids(delivered)[0]
    fake.press_button(READER_ID, READER_ID, delivered.message_id, f"ra:{target}")
    await fake.wait_for_message(READER_ID)
    await wait_for(bot, article_id, related_taps=1)
    # Opening its comments: the Comments (N) button, the Comment prompt, /comments ID.
    fake.press_button(READER_ID, READER_ID, delivered.message_id, f"cm:l:{article_id}")
    await fake.wait_for_message(READER_ID)
    fake.press_button(READER_ID, READER_ID, delivered.message_id, f"cm:w:{article_id}")
    prompt = await fake.wait_for_message(READER_ID)
    fake.send_text(READER_ID, f"/comments {article_id}")
    await fake.wait_for_message(READER_ID)
    fake.send_text(READER_ID, "Finally, the bridge is back", reply_to=prompt.message_id)
    await fake.wait_for_message(READER_ID, predicate=lambda m: "posted" in m.text)
    await wait_for(bot, article_id, comment_opens=3, comments=1)
    # Leaving within 24 hours of the delivery counts against it; a day later, no longer.
    fake.send_text(READER_ID, "/stop")
    await fake.wait_for_message(READER_ID, predicate=lambda m: "unsubscribed" in m.text)
    await wait_for(bot, article_id, unsubscribes_24h=1)
    fake.add_user(OTHER_ID, "Olga")
    await subscribe(fake, OTHER_ID)
    bot.clock.advance(timedelta(hours=25))
    fake.send_text(OTHER_ID, "/stop")
    await fake.wait_for_message(OTHER_ID, predicate=lambda m: "unsubscribed" in m.text)
    # Retention compacts every per-message record away: the figures must not change.
    await bot.services.retention.prune(timedelta(0))
    assert await bot.storage.db.fetchone("SELECT 1 FROM deliveries") is None
    await bot.stop()

    chart = tmp_path / "chart.png"
    result = run_stats(bot.settings.database_path, "--json", "--chart", str(chart))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["subscribers"] == {
        "active": 0,
        "inactive": 0,
        "unsubscribed": 2,
        "by_source": {"": 2},
    }
    (figures,) = [a for a in report["articles"] if a["id"] == article_id]
    assert figures == {
        "id": article_id,
        "title": "Harbour bridge to reopen after storm repairs",
        "sent": 1,
        "failed": 0,
        "reactions": {},
        "related_taps": 1,
        "comment_opens": 3,
        "comments": 1,
        "unsubscribes_24h": 1,
    }
    with Image.open(io.BytesIO(chart.read_bytes())) as image:
        assert image.format == "PNG"
        assert image.size[0] >= 600
        image.verify()
    text = run_stats(bot.settings.database_path)
    assert "related taps 1" in text.stdout and "(plain /start): 2" in text.stdout
    nowhere = run_stats(bot.settings.database_path, "--chart", str(tmp_path / "no" / "c.png"))
    assert nowhere.returncode == 2 and "--chart" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr


async def test_stats_sends_the_figures_and_a_chart(
    fake: FakeBotAPI, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    await subscribe(fake, READER_ID)
    await publish(bot, "Ferry timetable changes")
    await fake.wait_for_message(READER_ID, predicate=lambda m: "Ferry" in m.text)
    await drained(bot)
    fake.send_text(ADMIN_ID, "/stats")
    text = await fake.wait_for_message(ADMIN_ID, predicate=lambda m: "Subscribers" in m.text)
    assert "Ferry timetable changes" in text.text and "sent 1" in text.text
    photo = await fake.wait_for_message(
        ADMIN_ID, predicate=lambda m: m.method == "sendPhoto", timeout=30
    )
    assert photo.document is not None
    with Image.open(io.BytesIO(photo.document.data)) as image:
        assert image.format == "PNG"
        image.verify()
    fake.assert_no_errors()


def test_matplotlib_stays_out_of_start_up() -> None:
    code = (
        "import sys, bot.app, bot.cli, bot.handlers;"
        "print(any(m.split('.')[0] == 'matplotlib' for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"
