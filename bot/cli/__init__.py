"""Subcommands of `newsbot`: each module defines NAME, HELP, USES_DB, configure() and run()."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from bot.cli import export_comments, maintenance, prune, run
from bot.cli import importer as importer_cli
from bot.cli import related as related_cli
from bot.cli import summarize as summarize_cli
from bot.cli.common import CliError

__all__ = ["COMMANDS", "CliError", "Command"]


@dataclass(frozen=True)
class Command:
    """One `newsbot` subcommand."""

    name: str
    help: str
    uses_db: bool
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _noop(parser: argparse.ArgumentParser) -> None:
    return None


COMMANDS: list[Command] = [
    Command(
        "run",
        "start the bot (long polling, or a webhook when WEBHOOK_URL is set)",
        True,
        _noop,
        run.run,
    ),
    Command("migrate", "apply database migrations", True, _noop, maintenance.migrate),
    Command(
        "stats",
        "print subscriber, delivery and engagement statistics (--json), draw a chart",
        True,
        maintenance.configure_stats,
        maintenance.stats,
    ),
    Command(
        "backup",
        "copy the live database consistently to PATH",
        True,
        maintenance.configure_backup,
        maintenance.backup,
    ),
    Command(
        "prune",
        "compact and delete records older than the retention period now",
        True,
        prune.configure,
        prune.run,
    ),
    Command(
        "summarize",
        "print a JSON line with id and summary for each article of FILE.jsonl",
        False,
        summarize_cli.configure,
        summarize_cli.run,
    ),
    Command(
        "import",
        "load an article archive (JSON Lines) without delivering anything",
        True,
        importer_cli.configure,
        importer_cli.run,
    ),
    Command(
        "related",
        "print the related articles of each article (id or URL)",
        True,
        related_cli.configure,
        related_cli.run,
    ),
    Command(
        "export-comments",
        "write readers' comments to stdout as CSV or JSON Lines",
        True,
        export_comments.configure,
        export_comments.run,
    ),
]
