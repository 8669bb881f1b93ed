"""Durability: what the bot acknowledged survives `kill -9`, and `newsbot backup` copies a
database that the running bot is writing to, consistently."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

from tests.botprocess import ROOT, prepare_outbox, spawn_bot, stop_bot
from tests.conftest import READER_ID
from tests.fakes.botapi import FakeBotAPI

ACK = "your comment on"
BACKUP_READERS = range(50_000, 52_000)


def _comment(db_path: Path, chat_id: int, message_id: int) -> str | None:
    """A comment's text read straight from the SQLite file, as a fresh process would."""
    with sqlite3.connect(db_path) as conn:
        row = conn.execute(
            "SELECT text FROM comments WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        ).fetchone()
    return None if row is None else str(row[0])


def _integrity(db_path: Path) -> str:
    with sqlite3.connect(db_path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


async def _kill(bot: asyncio.subprocess.Process) -> None:
    await stop_bot(bot, signal.SIGKILL)


async def test_acknowledged_comments_survive_kill_9(fake: FakeBotAPI, tmp_path: Path) -> None:
    db_path, log = tmp_path / "durable.db", tmp_path / "bot.log"
    article_id = await prepare_outbox(db_path, [READER_ID], "Durable story", admin=None)

    # 1. A reply to the article; SIGKILL the moment the thank-you reaches the fake.
    bot = await spawn_bot(fake, db_path, log)
    try:
        article = await fake.wait_for_message(READER_ID, timeout=20)
        assert "Durable story" in article.text
        first_text = "Kept after kill -9 ✅ 'quotes' & <tags>"
        first = fake.send_text(READER_ID, first_text, reply_to=article.message_id)
        await fake.wait_for_message(READER_ID, predicate=lambda m: ACK in m.text, timeout=10)
    finally:
        await _kill(bot)
    assert _comment(db_path, READER_ID, first["message_id"]) == first_text

    # 2. Through the Comment button and its prompt, after a restart from the killed state.
    bot = await spawn_bot(fake, db_path, log)
    try:
        fake.press_button(READER_ID, READER_ID, article.message_id, f"cm:w:{article_id}")
        prompt = await fake.wait_for_message(
            READER_ID, predicate=lambda m: "write your comment" in m.text, timeout=20
        )
        second = fake.send_text(READER_ID, "Second, via the prompt", reply_to=prompt.message_id)
        await fake.wait_for_message(READER_ID, predicate=lambda m: ACK in m.text, timeout=10)
    finally:
        await _kill(bot)
    assert _comment(db_path, READER_ID, second["message_id"]) == "Second, via the prompt"
    assert _integrity(db_path) == "ok"
    fake.assert_no_errors()
    assert "TEST-TOKEN" not in log.read_text()


async def _cli(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


def _sent(db_path: Path) -> tuple[int, int]:
    with sqlite3.connect(db_path) as conn:
        sent = conn.execute("SELECT count(*) FROM deliveries WHERE status = 'sent'").fetchone()
        rows = conn.execute("SELECT count(*) FROM deliveries").fetchone()
    return int(sent[0]), int(rows[0])


async def test_backup_of_a_live_database_is_consistent(fake: FakeBotAPI, tmp_path: Path) -> None:
    live, log = tmp_path / "live.db", tmp_path / "bot.log"
    await prepare_outbox(live, BACKUP_READERS, "Backup story", admin=None)
    for chat in BACKUP_READERS:
        fake.add_user(chat)

    def delivered() -> int:
        return sum(fake.stats.messages_per_chat.values())

    bot = await spawn_bot(fake, live, log, BROADCAST_RATE="250")
    copies: list[tuple[Path, int, int]] = []
    try:
        await fake.wait_until(lambda: delivered() >= 200, timeout=20)
        for i in range(3):
            target = tmp_path / f"copy{i}.db"
            before = delivered()
            code, out = await _cli("--db", str(live), "backup", str(target))
            assert code == 0, out
            copies.append((target, before, delivered()))
        assert delivered() < len(BACKUP_READERS), "the bot stopped writing; nothing was live"
    finally:
        assert await stop_bot(bot) == 0, log.read_text()[-3000:]
    for target, before, after in copies:
        assert _integrity(target) == "ok"
        sent, rows = _sent(target)
        assert rows == len(BACKUP_READERS)
        # A row is marked sent only after the fake accepted the message; one may be in flight.
        assert before - 1 <= sent <= after, (before, sent, after)
        code, out = await _cli("--db", str(target), "stats")
        assert code == 0, out
        assert f"Active: {len(BACKUP_READERS)}" in out
        assert f"Sent: {sent}" in out
    fake.assert_no_errors()
