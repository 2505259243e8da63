"""The ``launchready`` command line: thin Typer commands over library calls.

Every command parses options, calls the library, renders, and picks the exit code of
cli.md: 0 clean, 1 findings at or above --fail-on, 2 bad input, 3 the tool failed.
"""

from __future__ import annotations

import sys

from launchready.cli import chaos as _chaos  # registers `launchready chaos` on app
from launchready.cli import db as _db  # registers `launchready db` on app
from launchready.cli import demo as _demo  # registers `launchready demo` on app
from launchready.cli import handover as _handover  # registers `launchready handover` on app
from launchready.cli import init as _init  # registers `launchready init` on app
from launchready.cli import load as _load  # registers `launchready load` on app
from launchready.cli import logs as _logs  # registers `launchready logs` on app
from launchready.cli import monitor as _monitor  # registers `launchready monitor` on app
from launchready.cli import redteam as _redteam  # registers `launchready redteam` on app
from launchready.cli import smoke as _smoke  # registers `launchready smoke` on app
from launchready.cli.app import app
from launchready.cli.deploy import deploy_app
from launchready.cli.email import email_app
from launchready.cli.env import env_app
from launchready.cli.exits import run_command
from launchready.cli.secrets import secrets_app

app.add_typer(email_app, name="email")
app.add_typer(secrets_app, name="secrets")
app.add_typer(env_app, name="env")
app.add_typer(deploy_app, name="deploy")


def main() -> None:
    """Console-script entry point."""
    sys.exit(run_command(app))


__all__ = [
    "_chaos",
    "_db",
    "_demo",
    "_handover",
    "_init",
    "_load",
    "_logs",
    "_monitor",
    "_redteam",
    "_smoke",
    "app",
    "main",
]
