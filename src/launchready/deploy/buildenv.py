"""The environment a clean build gets, and the redactor that keeps its values out of logs.

``deploy.build_env`` is the whole declared contract between the code and its build: a
dotenv file whose names *and values* the build receives. Nothing else comes from the
caller's shell except ``PATH`` (to find the tools) and a fresh, empty ``HOME`` (so a
``~/.npmrc`` on the laptop cannot make the build pass). The values are secrets as often as
not, so every log line and every evidence string goes through :func:`env_redactor` first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from launchready.envcheck import looks_secret
from launchready.errors import InputError
from launchready.redact import Redactor

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*?)\s*$")
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
    values: dict[str, str] = {}
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        found = _LINE.match(raw)
        if found is not None:
            values[found.group(1)] = _unquote(found.group(2))
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    if value and value[0] in "'\"":
        closing = value.find(value[0], 1)
        if closing > 0:
            return value[1:closing]
    comment = value.find(" #")
    return value[:comment].rstrip() if comment >= 0 else value


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
