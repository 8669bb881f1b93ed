"""Subcommands of `newsbot`: each module defines NAME, HELP, USES_DB, configure() and run()."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from bot.cli import maintenance, run
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
    Command("run", "start the bot (long polling, or a webhook when WEBHOOK_URL is set)",
            True, _noop, run.run),
    Command("migrate", "apply database migrations", True, _noop, maintenance.migrate),
    Command("stats", "print subscriber and delivery statistics", True, _noop, maintenance.stats),
    Command("backup", "copy the live database consistently to PATH", True,
            maintenance.configure_backup, maintenance.backup),
]
