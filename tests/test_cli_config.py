"""The command line and configuration errors: one clear line, exit status 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, from_env


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot` in an empty folder with a minimal environment."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_subcommands(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("run", "migrate", "stats", "backup"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "ADMIN_IDS": "abc"}, "ADMIN_IDS"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "TIMEZONE": "Mars/Base"}, "TIMEZONE"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "BROADCAST_RATE": "500"}, "BROADCAST_RATE"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "RETENTION_DAYS": "0"}, "RETENTION_DAYS"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "RETENTION_DAYS": "a month"}, "RETENTION_DAYS"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "DATABASE_PATH": "/nonexistent/dir/x.db"}, "DATABASE_PATH"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "SECTIONS": "politics,,sport"}, "SECTIONS"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "SECTIONS": "Sport, sport"}, "SECTIONS"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "SECTIONS": "x" * 40}, "SECTIONS"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "BACKUP_KEEP": "0"}, "BACKUP_KEEP"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "BACKUP_KEEP": "seven"}, "BACKUP_KEEP"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "BOT_NAME": "N" * 65}, "BOT_NAME"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "CHANNEL_ID": "news channel"}, "CHANNEL_ID"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "ARTICLE_STYLE": "gallery"}, "ARTICLE_STYLE"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "CHANNEL_LANGUAGE": "de"}, "CHANNEL_LANGUAGE"),
    ],
)
def test_bad_configuration_is_one_clear_line(
    tmp_path: Path, env: dict[str, str], setting: str
) -> None:
    result = run_cli(tmp_path, "run", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]
    assert "Traceback" not in result.stderr


def test_unusable_backup_dir_stops_start_up(tmp_path: Path) -> None:
    # A path below a regular file can never be a folder, whoever runs the test (root too).
    (tmp_path / "plain").write_text("a file")
    result = run_cli(tmp_path, "run", TELEGRAM_BOT_TOKEN="1:x", BACKUP_DIR="plain/backups")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "BACKUP_DIR" in lines[0] and "not a writable folder" in lines[0]
    assert "Traceback" not in result.stderr


def test_unwritable_database_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "ro"
    locked.mkdir()
    (locked / "x.db").write_bytes(b"not a database at all" * 100)
    result = run_cli(tmp_path, "migrate", "--db", str(locked / "x.db"))
    assert result.returncode == 2
    assert "DATABASE_PATH" in result.stderr
    assert "Traceback" not in result.stderr


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_PATH=from_dotenv.db\nTIMEZONE=Nowhere/Zone\n")
    result = run_cli(tmp_path, "migrate", TIMEZONE="UTC")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from_dotenv.db").exists()


def test_migrate_stats_and_backup(tmp_path: Path) -> None:
    db = str(tmp_path / "live.db")
    first = run_cli(tmp_path, "migrate", "--db", db)
    assert first.returncode == 0
    assert "applied" in first.stdout
    again = run_cli(tmp_path, "--db", db, "migrate")
    assert "up to date" in again.stdout
    backup = run_cli(tmp_path, "backup", str(tmp_path / "copy.db"), "--db", db)
    assert backup.returncode == 0, backup.stderr
    stats = run_cli(tmp_path, "--db", str(tmp_path / "copy.db"), "stats")
    assert stats.returncode == 0, stats.stderr
    assert "Active: 0" in stats.stdout
    missing = run_cli(tmp_path, "--db", str(tmp_path / "nope.db"), "stats")
    assert missing.returncode == 2
    assert "nope.db" in missing.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", None), ("@news_daily", "@news_daily"), (" -1001234567890 ", "-1001234567890")],
)
def test_channel_id_accepts_a_username_or_a_channel_number(raw: str, expected: str | None) -> None:
    assert from_env({"CHANNEL_ID": raw}).channel == expected


@pytest.mark.parametrize("raw", ["news", "@ab", "@1news", "12345678", "-12", "@news-daily"])
def test_malformed_channel_id_names_the_setting(raw: str) -> None:
    with pytest.raises(ConfigError, match="CHANNEL_ID"):
        from_env({"CHANNEL_ID": raw})


def test_article_style() -> None:
    assert from_env({}).article_style == "preview"
    assert from_env({"ARTICLE_STYLE": " Photo "}).article_style == "photo"
    with pytest.raises(ConfigError, match="ARTICLE_STYLE"):
        from_env({"ARTICLE_STYLE": "gallery"})


def test_settings_are_a_pure_function_of_the_mapping() -> None:
    settings = from_env({"ADMIN_IDS": " 1, 2,,3 ", "TIMEZONE": "Asia/Tashkent"})
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.timezone.key == "Asia/Tashkent"
    assert settings.api_url == "https://api.telegram.org/bot"
    assert settings.file_url == "https://api.telegram.org/file/bot"
    with pytest.raises(ConfigError, match="WEBHOOK_URL"):
        from_env({"WEBHOOK_URL": "http://insecure.example"})
    paid = from_env({"BROADCAST_RATE": "1000", "PAID_BROADCAST": "true"})
    assert paid.broadcast_rate == 1000
    publisher = from_env(
        {"SECTIONS": " Politics, Town Hall ,sport", "BACKUP_DIR": "/b", "BOT_NAME": " The  Ledger"}
    )
    assert publisher.sections == ("politics", "town_hall", "sport")
    assert (publisher.backup_dir, publisher.backup_keep) == (Path("/b"), 7)
    assert publisher.bot_name == "The Ledger"
    assert from_env({}).sections == () and from_env({}).backup_dir is None
    assert settings.retention_days == 30
    assert from_env({"RETENTION_DAYS": " 90 "}).retention_days == 90
    with pytest.raises(ConfigError, match="RETENTION_DAYS"):
        from_env({"RETENTION_DAYS": "3651"})
    # 32 Cyrillic letters are 64 bytes: the topic button's data would not fit.
    with pytest.raises(ConfigError, match="SECTIONS"):
        from_env({"SECTIONS": "политика" * 4})


def test_unreachable_api_is_one_clear_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_cli(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN="123:abcdefghijklmnopqrstuvwxyz",
        TELEGRAM_API_URL=f"http://127.0.0.1:{port}/bot",
    )
    assert result.returncode == 2
    assert "TELEGRAM_API_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert "abcdefghijklmnopqrstuvwxyz" not in result.stderr + result.stdout
