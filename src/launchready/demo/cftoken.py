"""The demo's Cloudflare API token: random per run, and only ever a ``${VAR}`` in its manifest.

The manifest names the token as ``${LAUNCHREADY_DEMO_CLOUDFLARE_TOKEN}``, the way a founder
should write a real one, so the audit's redaction treats it as the secret it is. ``${VAR}``
is expanded from the process environment when a manifest is loaded (manifest.md), so a
running demo store puts its token there: every command of this process, and every child it
starts (``launchready audit -m ...`` run by a test), then loads the demo's manifest as it
is. Stores running side by side in one process (the tests' flawed and fixed stores) share
the one value; the variable is restored when the last of them stops. For a shell of its
own (``launchready demo --keep-running``), the store also writes the token to a file of
its folder readable by its owner only (:data:`TOKEN_FILE`), ready to be sourced.

The variable's name is the demo's own, never ``CLOUDFLARE_API_TOKEN``: a real token a user
has exported must not be overwritten, nor sent even to the demo's fake API.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from launchready.demo.credentials import cloudflare_token

TOKEN_VARIABLE = "LAUNCHREADY_DEMO_CLOUDFLARE_TOKEN"
TOKEN_REFERENCE = "${" + TOKEN_VARIABLE + "}"
TOKEN_FILE = "demo.env"
"""``TOKEN_VARIABLE=value``: ``set -a; . ./demo.env; set +a`` before running commands on a
kept-running demo from another shell."""

_lock = threading.Lock()
_holders = 0
_previous: str | None = None
"""The variable's value before the first store of this process set it (None: unset)."""
_token: str | None = None
"""The token the running stores share."""


def claim_token() -> str:
    """The token of a starting store: a fresh one put into the environment, or the one
    the stores already running in this process share."""
    global _holders, _previous, _token
    with _lock:
        if _token is None:
            _previous = os.environ.get(TOKEN_VARIABLE)
            _token = cloudflare_token()
        _holders += 1
        os.environ[TOKEN_VARIABLE] = _token
        return _token


def release_token() -> None:
    """A store stopped: once none is left, the environment is as it was before."""
    global _holders, _previous, _token
    with _lock:
        if _holders == 0:
            return
        _holders -= 1
        if _holders > 0:
            return
        if _previous is None:
            os.environ.pop(TOKEN_VARIABLE, None)
        else:
            os.environ[TOKEN_VARIABLE] = _previous
        _previous = _token = None


def write_token_file(folder: Path, token: str) -> Path:
    """``folder/demo.env`` holding the token, created readable by its owner only."""
    path = folder / TOKEN_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(
            "# The demo's Cloudflare API token (valid only while this demo runs).\n"
            "# Load it with: set -a; . ./demo.env; set +a\n"
            f"{TOKEN_VARIABLE}={token}\n"
        )
    return path


__all__ = [
    "TOKEN_FILE",
    "TOKEN_REFERENCE",
    "TOKEN_VARIABLE",
    "claim_token",
    "release_token",
    "write_token_file",
]
