"""``launchready deploy check|drill``: being written (issue 13)."""

from __future__ import annotations

import typer

from launchready.errors import InputError

deploy_app = typer.Typer(no_args_is_help=True, help="Build and rollback proofs.")


@deploy_app.command("check")
def check() -> None:
    """Build HEAD in a clean clone, then scan the artifacts for secrets."""
    raise InputError("launchready deploy check is not available yet")


__all__ = ["deploy_app"]
