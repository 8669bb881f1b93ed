"""`newsbot run`."""

from __future__ import annotations

import argparse

from bot.app import run_forever
from bot.cli.common import load_settings
from bot.logging_setup import setup_logging


def run(args: argparse.Namespace) -> int:
    """Start the bot and serve until interrupted."""
    settings = load_settings(args)
    settings.require_token()
    setup_logging(settings.log_level, settings.token)
    run_forever(settings)
    return 0
