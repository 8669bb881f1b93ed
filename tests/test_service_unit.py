"""The systemd unit in deploy/ runs what the README installs and restarts only when useful."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

from bot.__main__ import CONFIG_ERROR_STATUS

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "newsbot.service"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser


def test_unit_runs_the_installed_command_and_restarts_on_failure() -> None:
    service = unit()["Service"]
    command = shlex.split(service["ExecStart"])
    workdir = Path(service["WorkingDirectory"])
    # The README installs into .venv beside .env, which `newsbot run` reads from its cwd.
    assert command == [str(workdir / ".venv" / "bin" / "newsbot"), "run"]
    assert service["Restart"] == "on-failure"
    assert int(service["RestartPreventExitStatus"]) == CONFIG_ERROR_STATUS
    assert service["KillSignal"] == "SIGTERM"
    writable = service["ReadWritePaths"].split()
    assert str(workdir) in writable
    example = (ROOT / ".env.example").read_text()
    backup_dir = next(
        line.split("=", 1)[1] for line in example.splitlines() if line.startswith("# BACKUP_DIR=")
    )
    assert backup_dir in writable  # the documented backup folder is writable under the unit
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_readme_documents_the_unit() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "deploy/newsbot.service" in readme
    assert "systemctl enable --now newsbot" in readme
