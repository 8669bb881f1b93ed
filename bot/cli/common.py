"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from bot.config import Settings, from_env, load_environment


class CliError(Exception):
    """A command's input is wrong; the message says how."""


def load_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment and .env, with `--db` taking precedence."""
    settings = from_env(load_environment())
    db = getattr(args, "db", None)
    if db:
        settings = dataclasses.replace(settings, database_path=Path(db))
    return settings
