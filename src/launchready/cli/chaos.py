"""``launchready chaos``: being written (issue 13)."""

from __future__ import annotations

from launchready.cli.app import app
from launchready.errors import InputError


@app.command("chaos")
def chaos() -> None:
    """Staging only: fault injection between the store and its dependencies."""
    raise InputError("launchready chaos is not available yet")


__all__ = ["chaos"]
