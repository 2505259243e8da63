"""The environment a clean build gets, and the redactor that keeps its values out of logs.

``deploy.build_env`` is the whole declared contract between the code and its build: a
dotenv file whose names *and values* the build receives. Nothing else comes from the
caller's shell except ``PATH`` (to find the tools) and a fresh, empty ``HOME`` (so a
``~/.npmrc`` on the laptop cannot make the build pass). The values are secrets as often as
not, so every log line and every evidence string goes through :func:`env_redactor` first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from launchready.envcheck import assignments, looks_secret
from launchready.errors import InputError
from launchready.redact import Redactor

PLAIN_NAMES = frozenset(
    {"PATH", "HOME", "PWD", "OLDPWD", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "TMPDIR"}
)
"""Caller variables whose values are never credentials: redacting them would only make
the logs unreadable (every ``/home/me`` turned into ``${HOME}``)."""


def read_build_env(path: Path) -> dict[str, str]:
    """Names and values of a dotenv file (the grammar of :mod:`launchready.envcheck`:
    ``NAME=value``, ``export``, quotes, `` #`` comments); values are returned because the
    build needs them, and must only ever reach the build's environment."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"deploy.build_env: cannot read {path}: {exc.strerror}") from None
    return {name: value for _, name, value in assignments(text)}


def clean_env(declared: Mapping[str, str], home: Path) -> dict[str, str]:
    """``PATH`` from the caller, ``HOME`` set to an empty folder, and ``declared``."""
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home)}
    env.update(declared)
    return env


def caller_extras(clean: Mapping[str, str]) -> dict[str, str]:
    """The caller's variables the clean build did not get (its own ``HOME`` included: a
    build reading ``~/.npmrc`` needs it), the candidates for an undeclared variable."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in clean or (name == "HOME" and clean.get("HOME") != value)
    }


def env_redactor(
    declared: Mapping[str, str],
    manifest_secrets: Mapping[str, str],
    caller: Mapping[str, str] | None = None,
) -> Redactor:
    """A redactor for the values that could be credentials: every ``declared`` value that
    looks like one whatever its name (a key wrongly named ``VITE_...`` is the very leak
    ``secrets.in-build`` is about), the caller's by name and value, and the manifest's
    ``${VAR}`` values (already value -> name)."""
    table: dict[str, str] = dict(manifest_secrets)
    for name, value in declared.items():
        if looks_secret("SECRET", value):
            table.setdefault(value, name)
    for name, value in (caller or {}).items():
        if name not in PLAIN_NAMES and looks_secret(name, value):
            table.setdefault(value, name)
    return Redactor(table)


__all__ = ["caller_extras", "clean_env", "env_redactor", "read_build_env"]
