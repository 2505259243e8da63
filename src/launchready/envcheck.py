"""Environment files read for their names and value hashes only.

``env check`` and the ``env`` audit area compare environments without ever holding a
value: each line is parsed, its value hashed with SHA-256 at once and dropped, so no
report, log or traceback can quote it. The hashes stay in memory and are never printed
either (a bare hash of a short password can be brute-forced).

The grammar is the common subset of dotenv loaders (python-dotenv, dotenv for Node,
docker compose): ``NAME=value``, ``export NAME=value``, ``#`` comments, single or double
quotes, `` #`` starting a comment after an unquoted value, and a bare ``NAME`` line (a
``.env.example`` sometimes lists names without ``=``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from launchready.errors import InputError

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*(?:=\s*(.*?))?\s*$")

NOT_SECRET_NAMES = frozenset(
    {
        "NODE_ENV",
        "APP_ENV",
        "RAILS_ENV",
        "RACK_ENV",
        "FLASK_ENV",
        "ENV",
        "ENVIRONMENT",
        "DEBUG",
        "PORT",
        "HOST",
        "HOSTNAME",
        "LOG_LEVEL",
        "TZ",
        "LANG",
        "REGION",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "CURRENCY",
    }
)
"""Names whose value is configuration, not a credential: the same value everywhere is
expected (``PORT=3000``), so ``env.shared-value`` does not compare them."""
NOT_SECRET_SUFFIXES = ("_REGION", "_PORT", "_HOST", "_LOCALE", "_TIMEZONE")
PUBLIC_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "PUBLIC_", "EXPO_PUBLIC_", "GATSBY_")
"""Frontend build prefixes: these values ship to every browser, so they are public."""
MIN_SECRET_LENGTH = 8


@dataclass(frozen=True)
class EnvEntry:
    """One variable of an environment file: never its value, only what we may compare."""

    name: str
    line: int
    digest: str | None
    """SHA-256 of the value (hex), None when the value is empty."""
    secret: bool
    """The value could be a credential (see :func:`looks_secret`)."""

    @property
    def empty(self) -> bool:
        return self.digest is None


@dataclass(frozen=True)
class EnvFile:
    """An environment file by name: the entries in file order, the last one winning."""

    path: Path
    entries: Mapping[str, EnvEntry]

    @property
    def names(self) -> list[str]:
        return list(self.entries)

    def defined(self, name: str) -> bool:
        """``name`` is present with a non-empty value."""
        entry = self.entries.get(name)
        return entry is not None and not entry.empty


def assignments(text: str) -> Iterator[tuple[int, str, str]]:
    """``(line number, name, value)`` of each assignment of dotenv ``text``: ``NAME=value``,
    ``export``, quotes, `` #`` comments. The one reading of the grammar, for the
    environment check (which hashes values) and the clean build (which passes them on)."""
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        found = _LINE.match(raw)
        if found is None:
            continue  # not an assignment; loaders skip such lines too
        yield number, found.group(1), _unquote(found.group(2) or "")


def parse_env(text: str, path: Path) -> EnvFile:
    """Parse dotenv ``text``; values are hashed as they are read and never kept."""
    entries: dict[str, EnvEntry] = {}
    for number, name, value in assignments(text):
        entries[name] = EnvEntry(
            name=name,
            line=number,
            digest=hashlib.sha256(value.encode()).hexdigest() if value else None,
            secret=looks_secret(name, value),
        )
    return EnvFile(path, entries)


def read_env(path: Path) -> EnvFile:
    """:func:`parse_env` of a file; unreadable is the user's input problem."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read environment file {path}: {exc.strerror}") from None
    return parse_env(text, path)


def looks_secret(name: str, value: str) -> bool:
    """Whether two environments sharing this value is a problem worth a finding.

    Everything counts except configuration: well-known non-secret names and suffixes,
    public frontend prefixes, short values, numbers and booleans, and URLs that carry no
    password (``API_BASE_URL=https://api.shop.test`` is the same in every environment by
    design, ``DATABASE_URL=postgres://app:pw@...`` is not).
    """
    upper = name.upper()
    if upper in NOT_SECRET_NAMES or upper.endswith(NOT_SECRET_SUFFIXES):
        return False
    if upper.startswith(PUBLIC_PREFIXES):
        return False
    if len(value) < MIN_SECRET_LENGTH or value.lower() in {"true", "false", "yes", "no"}:
        return False
    if value.replace(".", "", 1).isdigit():
        return False
    if "://" in value:
        try:
            return urlsplit(value).password is not None
        except ValueError:
            return True
    return True


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    if value and value[0] in "'\"":
        closing = value.find(value[0], 1)
        if closing > 0:
            return value[1:closing]  # a quoted value followed by a comment
    comment = value.find(" #")
    return value[:comment].rstrip() if comment >= 0 else value


def required_names(path: Path) -> list[str]:
    """The names a ``.env.example``-style file requires, in file order."""
    return read_env(path).names


__all__ = ["EnvEntry", "EnvFile", "looks_secret", "parse_env", "read_env", "required_names"]
