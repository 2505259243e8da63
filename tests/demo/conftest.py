"""Shared demo stores (one flawed, one fixed per test module) and a probe to observe them.

The probe uses the audit's own network layer (``launchready.net``) built from the written
manifest, so these tests also prove that the manifest's ``network`` section routes every
name and connection to the demo. The root conftest's ``loopback_only`` guard applies.

Speed: the stores, their HTTP clients and TLS contexts live for a whole module, and so
does the event loop of this folder's async tests (added by the collection hook below);
only the DNS resolver is new per test, so no test sees another's cached answers.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.asyncquery
import dns.message
import pytest
import pytest_asyncio

from launchready.demo import DemoStore
from launchready.demo.manifest import Ports
from launchready.demo.settings import DemoSettings
from launchready.manifest import Manifest, load_manifest
from launchready.net import HttpClient, HttpResponse, Resolver

DOMAIN = "demo-candles.test"
TIMEOUT_S = 5.0


@dataclass
class Session:
    """What the tests of one module share for one store."""

    store: DemoStore
    manifest: Manifest
    http: HttpClient
    tls: ssl.SSLContext


@dataclass
class Probe:
    """One store seen through the manifest's network settings."""

    store: DemoStore
    manifest: Manifest
    resolver: Resolver
    http: HttpClient
    tls: ssl.SSLContext

    @property
    def settings(self) -> DemoSettings:
        assert self.store.settings is not None
        return self.store.settings

    @property
    def ports(self) -> Ports:
        assert self.store.ports is not None
        return self.store.ports

    @property
    def ca_file(self) -> Path:
        assert self.manifest.network.ca_bundle is not None
        return self.manifest.resolve_path(self.manifest.network.ca_bundle)

    async def get(self, url: str, **kwargs: Any) -> HttpResponse:
        return await self.http.request("GET", url, **kwargs)

    async def chain(self, url: str, limit: int = 6) -> list[HttpResponse]:
        """Every response from ``url`` to the first non-redirect."""
        hops = [await self.get(url)]
        while hops[-1].status in (301, 302, 303, 307, 308) and len(hops) < limit:
            location = hops[-1].header("Location") or ""
            if location.startswith("/"):
                origin = "/".join(hops[-1].url.split("/", 3)[:3])
                location = origin + location
            hops.append(await self.get(location))
        return hops

    async def chat(self, message: str, session: str = "probe") -> dict[str, Any]:
        assert self.manifest.chatbot is not None
        response = await self.http.request(
            "POST", self.manifest.chatbot.url, json={"message": message, "session_id": session}
        )
        assert response.status == 200, response.text
        data: dict[str, Any] = json.loads(response.body)
        return data

    async def dns(self, query: dns.message.Message, *, tcp: bool = False) -> dns.message.Message:
        """A raw query to the demo's nameserver (flags and sections intact)."""
        if tcp:
            return await dns.asyncquery.tcp(query, "127.0.0.1", port=self.ports.dns, timeout=2)
        return await dns.asyncquery.udp(query, "127.0.0.1", port=self.ports.dns, timeout=2)

    async def certificate(self, host: str) -> dict[str, Any]:
        """The verified peer certificate the HTTPS listener presents for SNI ``host``."""
        _, writer = await asyncio.open_connection(
            "127.0.0.1", self.ports.https, ssl=self.tls, server_hostname=host
        )
        cert: dict[str, Any] = writer.get_extra_info("peercert")
        writer.close()
        await writer.wait_closed()
        return cert

    def git(self, *args: str) -> str:
        repo = self.store.workdir / "repo"
        result = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
        )
        return result.stdout


@pytest.fixture(scope="module")
def flawed_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
    with DemoStore(tmp_path_factory.mktemp("flawed")) as store:
        yield store


@pytest.fixture(scope="module")
def fixed_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
    with DemoStore(tmp_path_factory.mktemp("fixed"), fixed=True) as store:
        yield store


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run this folder's async tests on a module-wide loop, the loop of the sessions."""
    here = Path(__file__).parent
    for item in items:
        function = getattr(item, "function", None)
        if item.path.is_relative_to(here) and inspect.iscoroutinefunction(function):
            item.add_marker(pytest.mark.asyncio(loop_scope="module"), append=False)


async def _session(store: DemoStore) -> AsyncIterator[Session]:
    manifest = load_manifest(store.manifest_path, environ=store.environ)
    assert manifest.network.ca_bundle is not None
    ca_file = manifest.resolve_path(manifest.network.ca_bundle)
    resolver = Resolver(manifest.network, timeout=TIMEOUT_S)
    http = HttpClient(manifest.network, resolver, ca_bundle=ca_file, timeout=TIMEOUT_S)
    async with http:
        yield Session(store, manifest, http, ssl.create_default_context(cafile=str(ca_file)))


def _probe(session: Session) -> Probe:
    resolver = Resolver(session.manifest.network, timeout=TIMEOUT_S)
    return Probe(session.store, session.manifest, resolver, session.http, session.tls)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def flawed_session(flawed_store: DemoStore) -> AsyncIterator[Session]:
    async for session in _session(flawed_store):
        yield session


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fixed_session(fixed_store: DemoStore) -> AsyncIterator[Session]:
    async for session in _session(fixed_store):
        yield session


@pytest.fixture
def flawed(flawed_session: Session) -> Probe:
    return _probe(flawed_session)


@pytest.fixture
def fixed(fixed_session: Session) -> Probe:
    return _probe(fixed_session)


@pytest.fixture(params=["flawed", "fixed"])
def probe(request: pytest.FixtureRequest) -> Probe:
    session: Session = request.getfixturevalue(f"{request.param}_session")
    return _probe(session)
