"""Migrations: from empty, applied twice, and upgrading an older database with its data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import Database, StorageError, load_migrations


async def _tables(db: Database) -> set[str]:
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
    return {r["name"] for r in rows}


async def test_migrates_an_empty_database(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "new.db")
    try:
        latest = load_migrations()[-1].version
        assert await db.schema_version() == latest
        assert {"subscribers", "articles", "deliveries", "comments", "feeds"} <= await _tables(db)
        recorded = await db.fetchall("SELECT version FROM schema_migrations ORDER BY version")
        assert [r["version"] for r in recorded] == [m.version for m in load_migrations()]
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode is not None
        assert mode[0] == "wal"
        fk = await db.fetchone("PRAGMA foreign_keys")
        assert fk is not None
        assert fk[0] == 1
    finally:
        await db.close()


async def test_applying_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "twice.db"
    db = await Database.open(path)
    before = await db.fetchall("SELECT sql FROM sqlite_master ORDER BY name")
    assert await db.migrate() == []
    await db.close()
    db = await Database.open(path)
    try:
        after = await db.fetchall("SELECT sql FROM sqlite_master ORDER BY name")
        assert [tuple(r) for r in before] == [tuple(r) for r in after]
    finally:
        await db.close()


async def test_a_migration_numbered_below_the_applied_ones_is_still_applied(
    tmp_path: Path,
) -> None:
    # Branches get their numbers in advance and land in any order: 0006 may arrive after 0011.
    # (0006 only rebuilds an index, so nothing later depends on it.)
    migrations = load_migrations()
    # The second to last: a late branch's migration, which the last one does not build on
    # (an early one may create tables that later migrations alter).
    late = migrations[-2]
    db = await Database.open(tmp_path / "late.db", migrate=False)
    try:
        assert await db.migrate([m for m in migrations if m is not late]) != []
        with pytest.raises(StorageError, match=f"lacks migration {late.version:04d}"):
            await db.require_current()
        assert await db.migrate() == [late.version]
        await db.require_current()
        assert await db.schema_version() == migrations[-1].version
        index = await db.fetchone("SELECT sql FROM sqlite_master WHERE name = 'deliveries_due'")
        assert index is not None and "kind" in index["sql"]
    finally:
        await db.close()


async def test_upgrade_keeps_data_from_the_previous_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    migrations = load_migrations()
    db = await Database.open(path, migrate=False)
    await db.migrate(migrations[:1])  # a database as the first release left it
    await db.execute(
        "INSERT INTO subscribers (chat_id, name, mode, digest_hour, timezone, created_at,"
        " updated_at) VALUES (42, 'Old reader', 'digest', 7, 'Europe/Berlin', 1, 1)"
    )
    await db.execute(
        "INSERT INTO articles (id, url, content_hash, title, body, status, created_at,"
        " updated_at) VALUES (7, 'https://x.test/old', 'h', 'Old story', 'Body', 'published',"
        " 1, 1)"
    )
    await db.close()
    db = await Database.open(path)  # start-up applies the rest
    try:
        assert await db.schema_version() == migrations[-1].version
        sub = await db.fetchone("SELECT name, mode, digest_hour, timezone FROM subscribers")
        assert sub is not None
        assert tuple(sub) == ("Old reader", "digest", 7, "Europe/Berlin")
        art = await db.fetchone("SELECT title, url FROM articles WHERE id = 7")
        assert art is not None
        assert tuple(art) == ("Old story", "https://x.test/old")
        await db.execute(
            "INSERT INTO deliveries (article_id, chat_id, kind, due_at)"
            " VALUES (7, 42, 'digest', 1)"
        )
    finally:
        await db.close()


async def test_a_failed_migration_stops_with_a_clear_message(tmp_path: Path) -> None:
    from storage.db import Migration

    db = await Database.open(tmp_path / "bad.db", migrate=False)
    try:
        with pytest.raises(StorageError, match="0001_broken"):
            await db.migrate([Migration(1, "broken", "CREATE TABLE x (;")])
        assert await db.schema_version() == 0
    finally:
        await db.close()


async def test_newer_database_than_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        await Database.open(path)


async def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="DATABASE_PATH"):
        await Database.open(tmp_path / "no" / "such" / "dir" / "x.db")


async def test_engagement_migration_carries_over_what_is_known(tmp_path: Path) -> None:
    path = tmp_path / "before_0011.db"
    migrations = load_migrations()
    db = await Database.open(path, migrate=False)
    await db.migrate([m for m in migrations if m.version < 11])
    day = 20_000 * 86_400  # a UTC midnight
    await db.execute(
        "INSERT INTO subscribers (chat_id, status, created_at, updated_at) VALUES"
        f" (1, 'active', {day}, {day}), (2, 'unsubscribed', {day}, {day + 86_400})"
    )
    await db.execute(
        "INSERT INTO articles (id, content_hash, title, status, created_at, updated_at)"
        f" VALUES (7, 'h', 'Old story', 'published', {day}, {day})"
    )
    await db.execute(
        "INSERT INTO deliveries (article_id, chat_id, kind, status, due_at, sent_at)"
        f" VALUES (7, 1, 'instant', 'sent', {day}, {day}), (7, 2, 'instant', 'failed', {day},"
        f" {day})"
    )
    await db.execute(
        "INSERT INTO comments (article_id, chat_id, message_id, user_id, text, created_at)"
        f" VALUES (7, 1, 5, 1, 'Nice', {day})"
    )
    await db.close()
    db = await Database.open(path)
    try:
        rows = await db.fetchall("SELECT * FROM daily_counts ORDER BY day")
        assert [tuple(r) for r in rows] == [(20_000, 2, 0, 1, 1), (20_001, 0, 1, 0, 0)]
        counted = await db.fetchone("SELECT comments FROM article_engagement WHERE article_id = 7")
        assert counted is not None and counted["comments"] == 1
        source = await db.fetchone("SELECT source FROM subscribers WHERE chat_id = 1")
        assert source is not None and source["source"] == ""
    finally:
        await db.close()
