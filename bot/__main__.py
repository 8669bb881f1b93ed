"""Command line: `newsbot <command>` (also `python -m bot`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.cli import COMMANDS, CliError
from bot.config import ConfigError
from storage.db import StorageError

# A configuration mistake: restarting cannot fix it (deploy/newsbot.service stops retrying).
CONFIG_ERROR_STATUS = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per module in bot.cli."""
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="A Telegram bot through which a news publisher reaches its readers.",
    )
    parser.add_argument(
        "--db", metavar="PATH", help="SQLite database (default: DATABASE_PATH or newsbot.db)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        if command.uses_db:
            # SUPPRESS keeps a global `--db` from being overwritten by the subcommand's default.
            child.add_argument(
                "--db",
                metavar="PATH",
                default=argparse.SUPPRESS,
                help="SQLite database (default: DATABASE_PATH or newsbot.db)",
            )
        command.configure(child)
        child.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; configuration mistakes end with one clear line and status 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (ConfigError, StorageError, CliError) as exc:
        print(f"newsbot: error: {exc}", file=sys.stderr)
        return CONFIG_ERROR_STATUS
    except KeyboardInterrupt:
        return 130
    finally:
        logging.shutdown()


if __name__ == "__main__":
    sys.exit(main())
