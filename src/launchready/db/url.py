"""``database.url``: which engine, where, and how to show it without its password.

The URL is the one place a credential enters this package, so it is split here once: the
engines get what they need to connect, everything that reaches a report gets
:attr:`DatabaseUrl.display` (no password, no query string, since libpq also accepts
``?password=``) and every error text goes through :meth:`DatabaseUrl.scrub` first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from launchready.errors import InputError
from launchready.redact import MIN_SECRET_LENGTH

POSTGRES_SCHEMES = frozenset({"postgresql", "postgres"})
_DRIVER = re.compile(r"^(?P<scheme>[a-z][a-z0-9]*)(?:\+[a-z0-9_]+)?$")
_PASSWORD_PARAM = re.compile(r"(password|passfile|sslpassword)=[^&]*", re.I)


class Engine(StrEnum):
    POSTGRESQL = "postgresql"
    SQLITE = "sqlite"


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed ``database.url``."""

    engine: Engine
    display: str
    """What reports show: scheme, user, host, port and database; never a password."""
    conninfo: str = field(default="", repr=False)
    """PostgreSQL: the libpq URI to connect with (it may hold the password)."""
    host: str | None = None
    port: int | None = None
    path: Path | None = None
    """SQLite: the database file, made absolute against the manifest's folder."""
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """Text that must never be printed: the password as written and percent-decoded."""

    def scrub(self, text: str) -> str:
        """``text`` (a driver's error message) with the password and the raw URL removed."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return _PASSWORD_PARAM.sub(r"\1=***", text)


def parse_url(url: str, base_dir: Path) -> DatabaseUrl:
    """``postgresql://...`` or ``sqlite:///path.db`` (relative to ``base_dir``, the manifest's
    folder; ``sqlite:////abs/path.db`` is absolute). Anything else is bad input, and the
    message never repeats the URL, which may hold a password."""
    parts = urlsplit(url.strip())
    scheme = _DRIVER.match(parts.scheme.lower())
    name = scheme["scheme"] if scheme else ""
    if name in POSTGRES_SCHEMES:
        return _postgres(url.strip(), parts.scheme)
    if name == "sqlite":
        return _sqlite(url.strip(), base_dir)
    raise InputError(
        "database.url must start with postgresql:// or sqlite:/// "
        f"(found {parts.scheme + '://' if parts.scheme else 'no scheme'})"
    )


def _postgres(url: str, scheme: str) -> DatabaseUrl:
    parts = urlsplit(url)
    password = parts.password or ""
    secrets = tuple(s for s in {password, unquote(password)} if len(s) >= MIN_SECRET_LENGTH)
    try:
        port = parts.port
    except ValueError:
        raise InputError("database.url has a port that is not a number") from None
    host = parts.hostname
    user = f"{parts.username}@" if parts.username else ""
    netloc = parts.netloc.rpartition("@")[2]
    display = f"postgresql://{user}{netloc}{parts.path}"
    # libpq does not know SQLAlchemy-style driver suffixes (postgresql+psycopg://).
    conninfo = "postgresql" + url[len(scheme) :]
    return DatabaseUrl(
        engine=Engine.POSTGRESQL,
        display=display,
        conninfo=conninfo,
        host=host,
        port=port,
        secrets=(*secrets, url),
    )


def _sqlite(url: str, base_dir: Path) -> DatabaseUrl:
    rest = url.split(":", 1)[1]
    if not rest.startswith("///"):
        raise InputError("database.url: write a SQLite file as sqlite:///path.db")
    raw = unquote(rest[3:].split("?", 1)[0])
    if raw in ("", ":memory:"):
        raise InputError("database.url: name a SQLite file, e.g. sqlite:///shop.db")
    path = Path(raw).expanduser()
    resolved = path if path.is_absolute() else base_dir / path
    return DatabaseUrl(engine=Engine.SQLITE, display=f"sqlite:///{raw}", path=resolved)


def sqlite_uri(path: Path) -> str:
    """The read-only URI SQLite opens: ``mode=ro`` refuses every write at the library level,
    so even a statement that slipped through could not change the file."""
    return f"file:{quote(str(path))}?mode=ro"
