"""`newsbot import` and `newsbot summarize`, run in-process through the real entry point."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.services.text.summarize import summarize

LONG = (
    "The council approved the harbour plan on Monday after a long debate. "
    "Work will start in spring and take six months. "
    "Traders said the decision would bring visitors back to the old town. "
    "Critics warned that the cost could rise if the weather turns."
)


def write_lines(path: Path, records: list[object]) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
        encoding="utf-8",
    )
    return path


def articles(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT url, external_id, title, summary, status, source, published_at FROM articles"
            " ORDER BY id"
        ).fetchall()
    conn.close()
    return rows


def test_import_twice_updates_instead_of_duplicating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "archive.db"
    source = write_lines(
        tmp_path / "a.jsonl",
        [
            {
                "url": "https://news.example/1",
                "title": "Harbour plan",
                "body": LONG,
                "published_at": "2024-05-14T08:30:00Z",
                "tags": ["Politics", "#Town"],
            },
            {"id": 77, "title": "Ferry times", "body": LONG, "published_at": 1715600000},
            "{not json",
            {"url": "https://news.example/3", "body": LONG},
            {"url": "ftp://news.example/4", "title": "Bad link", "body": LONG},
            {"title": "No key", "body": LONG},
            {"id": "x", "title": "Bad date", "body": LONG, "published_at": "yesterday"},
        ],
    )
    assert main(["import", str(source), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("added 2, updated 0, skipped 5")
    assert "invalid JSON (line 3)" in out and "neither url nor id (line 6)" in out
    first = articles(db)
    assert [(r[0], r[1], r[2]) for r in first] == [
        ("https://news.example/1", None, "Harbour plan"),
        (None, "77", "Ferry times"),
    ]
    assert all(r[4] == "archived" and r[5] == "import" for r in first)
    assert first[0][3] == summarize("Harbour plan", LONG)
    assert first[0][6] == 1715675400 and first[1][6] == 1715600000
    with sqlite3.connect(db) as conn:
        tags = conn.execute("SELECT tag FROM article_tags ORDER BY tag").fetchall()
        deliveries = conn.execute("SELECT count(*) FROM deliveries").fetchone()
    conn.close()
    assert [t[0] for t in tags] == ["politics", "town"] and deliveries == (0,)
    changed = write_lines(
        tmp_path / "b.jsonl",
        [
            {"url": "https://news.example/1", "title": "Harbour plan (updated)", "body": LONG},
            {"id": 77, "title": "Ferry times", "body": LONG},
            {"id": 78, "title": "New one", "body": LONG},
        ],
    )
    assert main(["import", str(changed), "--db", str(db)]) == 0
    assert capsys.readouterr().out.strip() == "added 1, updated 2, skipped 0"
    second = articles(db)
    assert len(second) == 3 and second[0][2] == "Harbour plan (updated)"
    assert second[0][6] == 1715675400  # a missing date keeps the stored one


def test_import_reports_progress_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [{"id": i, "title": f"Story {i}", "body": LONG} for i in range(2100)]
    source = write_lines(tmp_path / "big.jsonl", records)
    db = tmp_path / "big.db"
    assert main(["import", str(source), "--db", str(db)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "added 2100, updated 0, skipped 0"
    assert "1000 lines" in captured.err and "2000 lines" in captured.err
    assert len(articles(db)) == 2100
    assert main(["import", str(tmp_path / "nope.jsonl"), "--db", str(db)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_summarize_prints_ids_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_lines(
        tmp_path / "s.jsonl",
        [
            {"id": "b", "title": "Harbour plan", "body": LONG},
            {"id": 1, "title": "Short", "body": "Only one sentence here about the pier."},
            {"title": "No id", "body": LONG},
        ],
    )
    assert main(["summarize", str(source)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["b", 1, None]
    assert lines[0]["summary"] == summarize("Harbour plan", LONG)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": 1, "title": "A", "body": "B"}\n{"id": 2}\n', "line 2"),
        ("[1, 2]\n", "line 1: expected a JSON object"),
        ("{oops\n", "line 1: invalid JSON"),
    ],
)
def test_summarize_bad_line_is_one_error_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text(content, encoding="utf-8")
    assert main(["summarize", str(source)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and err[0].startswith("newsbot: error:")


def test_summarize_missing_or_binary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summarize", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert main(["summarize", str(binary)]) == 2
    assert "cannot be read" in capsys.readouterr().err
