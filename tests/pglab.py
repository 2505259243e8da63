"""A real, throwaway PostgreSQL cluster on 127.0.0.1, for the monitor's store and the database
diagnostics.

Debian's own server (``/usr/lib/postgresql/NN/bin``), not SQLite or a mock: the store's SQL and
migrations, and the diagnostics built on ``pg_stat_statements`` and HypoPG, must meet the real
planner and catalogs. Each :class:`PostgresLab` is a cluster of its own in a fresh temporary
folder (data, log and unix socket all inside it), listening only on 127.0.0.1 on a free port,
with trust authentication and ``fsync = off``: it holds nothing worth a password or a disk
flush, and is removed on exit.

PostgreSQL refuses to run as root, and CI's containers run the tests as root: there the server
programs run as the ``postgres`` system user (which Debian's package creates) via ``runuser``.
The folder comes from :func:`tempfile.mkdtemp`, not pytest's ``tmp_path``: pytest's base
folder is private to root, so the ``postgres`` user could not reach a cluster inside it.

Clients need no driver here: databases are created with ``psql``; tests reach them through
:meth:`PostgresLab.url` with SQLAlchemy and psycopg 3.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.labserver import free_port

HOST = "127.0.0.1"
SUPERUSER = "postgres"  # the role initdb creates (``-U``), whoever runs the server
SERVER_USER = "postgres"  # the system user the server runs as when the tests run as root
START_TIMEOUT_S = 30  # pg_ctl -w waits at most this long for the server to accept connections
COMMAND_TIMEOUT_S = 120  # any one initdb, pg_ctl or psql run
START_ATTEMPTS = 3  # a free port may be taken between free_port() and the server's bind()

_BIND_FAILED = re.compile(r"could not bind|could not create any TCP/IP sockets|already in use")
_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)(?:\.(\d+))?")


class PostgresLabError(RuntimeError):
    """The lab cluster could not be created, started, queried or stopped."""


def server_version(bindir: Path) -> tuple[int, int] | None:
    """``(major, minor)`` of the server in ``bindir``, or None if it is not a working one."""
    try:
        out = subprocess.run(
            [str(bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = _VERSION.search(out)
    return (int(found[1]), int(found[2] or 0)) if found else None


def find_bindir() -> Path | None:
    """The folder of the newest installed PostgreSQL server, or None when there is none.

    Candidates are Debian's ``/usr/lib/postgresql/*/bin`` (several majors may sit side by side)
    and ``pg_config --bindir`` (other layouts); only folders holding ``postgres``, ``initdb``
    and ``pg_ctl`` count, since ``pg_config`` alone may come from the client library package.
    """
    candidates = set(Path("/usr/lib/postgresql").glob("*/bin"))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out:
            candidates.add(Path(out))
    versions: dict[Path, tuple[int, int]] = {}
    for folder in candidates:
        if all((folder / name).is_file() for name in ("postgres", "initdb", "pg_ctl", "psql")):
            version = server_version(folder)
            if version is not None:
                versions[folder.resolve()] = version
    return max(versions, key=lambda folder: versions[folder], default=None)


def database_name(hint: str) -> str:
    """A fresh, valid database name readable in the server log: ``hint`` (say a test's name)
    folded to ``[a-z0-9_]`` and shortened, plus a random suffix so reruns never collide."""
    stem = re.sub(r"[^a-z0-9_]+", "_", hint.lower()).strip("_")[:40] or "db"
    if not stem[0].isalpha():
        stem = f"db_{stem}"[:40]
    return f"{stem}_{uuid.uuid4().hex[:8]}"


def _run_as_prefix() -> list[str]:
    """What to put before a server program: nothing for an ordinary user, ``runuser -u
    postgres --`` for root (PostgreSQL will not run as root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresLabError(
            f"running as root, and there is no {SERVER_USER!r} system user to run PostgreSQL "
            "as (the Debian package postgresql creates it)"
        ) from None
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    if not Path(runuser).is_file():
        raise PostgresLabError("running as root, and runuser (util-linux) is missing")
    return [runuser, "-u", SERVER_USER, "--"]


def _clean_environment() -> dict[str, str]:
    """This process's environment without libpq's ``PG*`` variables, so a developer's PGHOST,
    PGPORT, PGDATABASE or PGDATA can never point a lab command at another server."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


class PostgresLab:
    """A throwaway PostgreSQL cluster: ``with PostgresLab() as pg: pg.create_database("x")``.

    Superuser ``postgres``, no password; :meth:`url` gives SQLAlchemy URLs for psycopg 3.
    ``pg_stat_statements`` is preloaded (its view works once ``CREATE EXTENSION`` ran in a
    database); HypoPG, when its package is installed, needs only ``CREATE EXTENSION hypopg``.
    """

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise PostgresLabError(
                "no PostgreSQL server found (apt-get install postgresql; scripts/test does)"
            )
        self.bindir = found
        self.version = server_version(found) or (0, 0)
        self.host = HOST
        self.port = 0  # chosen by start()
        self.user = SUPERUSER
        self.folder: Path | None = None
        self._prefix = _run_as_prefix()
        self._env = _clean_environment()

    # -- paths -------------------------------------------------------------------------------

    def _folder(self) -> Path:
        if self.folder is None:
            raise PostgresLabError("the lab cluster is not running")
        return self.folder

    @property
    def data_dir(self) -> Path:
        return self._folder() / "data"

    @property
    def socket_dir(self) -> Path:
        """The unix socket's folder (the lab folder itself: short enough for its 107-byte
        path limit, and private to this cluster)."""
        return self._folder()

    @property
    def log_path(self) -> Path:
        return self._folder() / "server.log"

    def server_log(self) -> str:
        """The server's log so far: what to read when the lab misbehaves."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except (OSError, PostgresLabError):
            return ""

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Create the folder and the cluster, configure it, and start the server; returns once
        it accepts connections (``pg_ctl -w``), or raises with the server's log."""
        if self.folder is not None:
            raise PostgresLabError("the lab cluster is already running")
        self.folder = Path(tempfile.mkdtemp(prefix="launchready-pg-"))
        try:
            if self._prefix:
                entry = pwd.getpwnam(SERVER_USER)
                os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            self._initdb()
            self._configure()
            self._start_server()
        except BaseException:
            self.stop()
            raise

    def _initdb(self) -> None:
        self._server_command(
            "initdb",
            "--pgdata",
            str(self.data_dir),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",  # a throwaway cluster: no need to flush its files to disk
        )

    def _configure(self) -> None:
        """Trust for the unix socket and 127.0.0.1 only; listen on 127.0.0.1 only; speed over
        durability. Files are written in place, so they keep the server user's ownership."""
        (self.data_dir / "pg_hba.conf").write_text(
            "# launchready test cluster: trust, but only on this machine\n"
            "# TYPE  DATABASE  USER  ADDRESS       METHOD\n"
            "local   all       all                 trust\n"
            "host    all       all   127.0.0.1/32  trust\n",
            encoding="utf-8",
        )
        settings = {
            "listen_addresses": f"'{HOST}'",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "shared_preload_libraries": "'pg_stat_statements'",
            "pg_stat_statements.track": "'all'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "logging_collector": "off",
        }
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# launchready test cluster (tests/pglab.py)\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def _start_server(self) -> None:
        """``pg_ctl start -w`` on a free port, again on another port if that one was taken in
        the meantime."""
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = free_port()
            result = self._server_command(
                "pg_ctl",
                "start",
                "--wait",
                "--timeout",
                str(START_TIMEOUT_S),
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_path),
                "--options",
                f"-p {self.port}",
                check=False,
                timeout=START_TIMEOUT_S + 15,
            )
            if result.returncode == 0:
                return
            log = self.server_log()
            if attempt == START_ATTEMPTS or not _BIND_FAILED.search(log):
                raise PostgresLabError(
                    f"PostgreSQL did not start (pg_ctl: {result.stdout}{result.stderr}); "
                    f"server log:\n{log[-4000:]}"
                )

    def stop(self) -> None:
        """Stop the server at once (``pg_ctl -m immediate``: nothing in it needs a clean
        shutdown) and remove the folder. Safe to call twice, and after a failed start."""
        folder, self.folder = self.folder, None
        if folder is None:
            return
        failure = ""
        data_dir = folder / "data"
        if (data_dir / "postmaster.pid").exists():
            result = self._server_command(
                "pg_ctl",
                "stop",
                "--mode",
                "immediate",
                "--wait",
                "--timeout",
                str(START_TIMEOUT_S),
                "--pgdata",
                str(data_dir),
                check=False,
                timeout=START_TIMEOUT_S + 15,
                cwd=Path(tempfile.gettempdir()),
            )
            if result.returncode != 0:
                failure = f"{result.stdout}{result.stderr}".strip()
        shutil.rmtree(folder, ignore_errors=True)
        if failure:
            raise PostgresLabError(f"pg_ctl stop failed, a server may be left running: {failure}")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- clients -----------------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        """The SQLAlchemy URL of database ``dbname``, for psycopg 3 over TCP on 127.0.0.1."""
        self._folder()
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """Create the empty database ``name`` (``[a-z_][a-z0-9_]*``, at most 63 characters:
        it is quoted, but a strict name keeps URLs and logs plain) and return its :meth:`url`."""
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"not a plain database name: {name!r}")
        # FILE_COPY (PostgreSQL 15+) copies the template's files and checkpoints: with fsync
        # off that is about three times faster than the default, which writes it all to WAL.
        strategy = " STRATEGY = FILE_COPY" if self.version >= (15, 0) else ""
        self.psql(f'CREATE DATABASE "{name}"{strategy}')
        return self.url(name)

    def psql(self, command: str, dbname: str = "postgres") -> str:
        """Run one SQL command with ``psql`` as the superuser; returns its unaligned,
        tuples-only output (``a|b`` per row), or raises with psql's error."""
        result = self._run(
            [
                str(self.bindir / "psql"),
                "--no-psqlrc",
                "--no-align",
                "--tuples-only",
                "--set",
                "ON_ERROR_STOP=1",
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--username",
                self.user,
                "--dbname",
                dbname,
                "--command",
                command,
            ],
            check=False,
        )
        if result.returncode != 0:
            raise PostgresLabError(f"psql failed on {command!r}: {result.stderr.strip()}")
        return result.stdout

    def has_extension(self, name: str) -> bool:
        """Whether ``CREATE EXTENSION name`` can work: its package is installed for this
        server's major version (HypoPG is packaged per major, e.g. postgresql-15-hypopg)."""
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ValueError(f"not a plain extension name: {name!r}")
        found = self.psql(f"SELECT 1 FROM pg_available_extensions WHERE name = '{name}'")
        return found.strip() == "1"

    # -- running programs ----------------------------------------------------------------------

    def _server_command(
        self,
        program: str,
        *args: str,
        check: bool = True,
        timeout: float = COMMAND_TIMEOUT_S,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run a server program (initdb, pg_ctl) as the server user, from a folder it may
        enter (the server user cannot always read the tests' working directory)."""
        return self._run(
            [*self._prefix, str(self.bindir / program), *args],
            check=check,
            timeout=timeout,
            cwd=cwd or self._folder(),
        )

    def _run(
        self,
        argv: list[str],
        *,
        check: bool,
        timeout: float = COMMAND_TIMEOUT_S,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        try:
            result = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=timeout,
                env=self._env,
                cwd=cwd or Path(tempfile.gettempdir()),
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PostgresLabError(f"{' '.join(argv)} timed out after {timeout} s") from None
        if check and result.returncode != 0:
            raise PostgresLabError(
                f"{' '.join(argv)} failed ({result.returncode}): "
                f"{result.stdout}{result.stderr}".strip()
            )
        return result
