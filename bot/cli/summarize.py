"""`newsbot summarize FILE.jsonl`: one JSON line with id and summary per article, in order."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import CliError
from bot.services.text.summarize import summarize_jsonl


def configure(parser: argparse.ArgumentParser) -> None:
    """`newsbot summarize FILE.jsonl`."""
    parser.add_argument("file", metavar="FILE.jsonl", help='lines of {"id", "title", "body"}')


def run(args: argparse.Namespace) -> int:
    """Print {"id", "summary"} for each line; a bad file or line stops with one error line."""
    path = Path(args.file)
    try:
        with path.open(encoding="utf-8") as lines:
            for out in summarize_jsonl(lines):
                print(out, flush=True)
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot be read ({exc})") from None
    except ValueError as exc:
        raise CliError(f"{path}: {exc}") from None
    return 0
