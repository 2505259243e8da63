"""Shared test fixtures.

The autouse ``loopback_only`` fixture refuses any connection outside 127.0.0.0/8 and ::1:
every test talks to real servers, but only servers on this machine.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from launchready.demo import DemoStore
from tests.pglab import PostgresLab, database_name, find_bindir


class NonLoopbackConnection(AssertionError):
    """A test tried to reach an address outside loopback."""


def _check(address: Any) -> None:
    if not isinstance(address, tuple):
        return  # AF_UNIX paths
    host = str(address[0]).split("%")[0]
    if host == "localhost":
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise NonLoopbackConnection(f"tests may not resolve or reach {host!r}") from None
    if not ip.is_loopback and not (
        ip.version == 6 and ip.ipv4_mapped and ip.ipv4_mapped.is_loopback
    ):
        raise NonLoopbackConnection(f"tests may only reach loopback, not {host}")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_sendto = socket.socket.sendto

    def connect(self: socket.socket, address: Any) -> None:
        _check(address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check(address)
        return original_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        _check(args[-1])
        return original_sendto(self, data, *args)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)


@pytest.fixture
def write_manifest(tmp_path: Path) -> Callable[[str], Path]:
    """Write a manifest (dedented YAML) into a temporary folder and return its path."""

    def write(text: str, name: str = "launchready.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture
def minimal_manifest(write_manifest: Callable[[str], Path]) -> Path:
    return write_manifest("""
        site:
          domain: shop.test
    """)


@pytest.fixture(scope="session")
def flawed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The manifest path of a running flawed demo store."""
    with DemoStore(tmp_path_factory.mktemp("demo-flawed")) as store:
        yield store.manifest_path


@pytest.fixture(scope="session")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The manifest path of a running fixed demo store."""
    with DemoStore(tmp_path_factory.mktemp("demo-fixed"), fixed=True) as store:
        yield store.manifest_path


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresLab]:
    """One throwaway PostgreSQL cluster for the whole run (tests/pglab.py): starting one takes
    about half a second, a fresh database in it a few tens of milliseconds. Skipped only where
    no PostgreSQL server is installed at all; in CI (which installs it) that fails instead."""
    if find_bindir() is None:
        if os.environ.get("CI"):
            pytest.fail(
                "PostgreSQL is missing: scripts/test installs the Debian package postgresql"
            )
        pytest.skip(
            "no PostgreSQL server installed (apt-get install postgresql; scripts/test does)"
        )
    with PostgresLab() as lab:
        yield lab


@pytest.fixture
def postgres_url(postgres: PostgresLab, request: pytest.FixtureRequest) -> str:
    """The SQLAlchemy URL (``postgresql+psycopg://…``) of a fresh, empty database for this test
    alone, named after it so the server log reads plainly."""
    return postgres.create_database(database_name(request.node.name))


CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path) -> CliRun:
    """``cli("audit", "-m", path, env={...})``: the real ``launchready`` in a subprocess run
    in ``tmp_path``, text mode (pytest's own variables left out of its environment)."""

    def run(
        *args: str | Path, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        environment.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "launchready", *map(str, args)],
            capture_output=True,
            text=True,
            env=environment,
            cwd=tmp_path,
            timeout=timeout,
            check=False,
        )

    return run
