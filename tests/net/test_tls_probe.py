"""The TLS probe against a real nginx and against hostile TCP servers written here.

Hostile servers matter because an audit is often run while something is broken: a port
that accepts and never speaks TLS, or drips a byte at a time, must end as a ``timeout``
value within the deadline, never a hang and never an exception.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import pytest

from launchready.manifest import Network
from launchready.net import tls
from launchready.net.tls import probe_tls
from tests.weblab.nginx import LabCA, NginxServer, free_port, require_nginx

HOST = "www.shop.test"
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def network(port: int) -> Network:
    return Network(resolve={f"{HOST}:443": f"127.0.0.1:{port}"})


@asynccontextmanager
async def tcp_server(handler: Handler) -> AsyncIterator[int]:
    """A loopback TCP server running ``handler`` per connection; its tasks end with it."""
    tasks: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            writer.transport.abort()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 2)


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(30)


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # A TLS record header promising 16 KiB of handshake, then one byte every 100 ms.
    writer.write(b"\x16\x03\x03\x3f\xff")
    for _ in range(300):
        await asyncio.sleep(0.1)
        writer.write(b"\x02")
        await writer.drain()


async def plain_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1024)
    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()


@pytest.mark.parametrize(
    ("handler", "kind", "versions"),
    [(silent, "timeout", None), (drip, "timeout", None), (plain_http, "no-tls", False)],
    ids=["silent", "drip", "plain-http"],
)
async def test_a_hostile_port_ends_as_a_value_within_the_deadline(
    handler: Handler, kind: str, versions: bool | None
) -> None:
    async with tcp_server(handler) as port:
        started = time.monotonic()
        probe = await probe_tls(HOST, 443, network(port), None, 1.0)
        elapsed = time.monotonic() - started
    assert probe.ok is False and probe.error_kind == kind, probe
    assert elapsed < 2.5
    # A version that timed out is unknown; one the server answered with garbage is refused.
    assert probe.accepted == dict.fromkeys(tls.VERSIONS, versions)


async def test_probes_of_different_hosts_run_concurrently() -> None:
    async with tcp_server(silent) as port:
        started = time.monotonic()
        probes = await asyncio.gather(
            *(
                probe_tls(
                    f"h{i}.shop.test",
                    443,
                    Network(resolve={f"h{i}.shop.test:443": f"127.0.0.1:{port}"}),
                    None,
                    1.0,
                )
                for i in range(5)
            )
        )
        elapsed = time.monotonic() - started
    assert [p.error_kind for p in probes] == ["timeout"] * 5
    assert elapsed < 2.5


async def test_a_closed_port_is_refused() -> None:
    probe = await probe_tls(HOST, 443, network(free_port()), None, 1.0)
    assert probe.error_kind == "refused" and probe.address is not None


async def test_the_chain_as_served_the_leaf_and_the_versions(tmp_path: Path) -> None:
    require_nginx()
    ca = LabCA(tmp_path / "ca")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    full = ca.leaf(
        HOST, via_intermediate=True, not_before=now, not_after=now + dt.timedelta(days=60)
    )
    short = ca.leaf(HOST, via_intermediate=True, send_chain=False)
    other = ca.leaf("elsewhere.example")
    ports = [free_port() for _ in range(3)]
    servers = "".join(
        f"""
        server {{
          listen 127.0.0.1:{port} ssl;
          ssl_certificate {files.cert};
          ssl_certificate_key {files.key};
          ssl_protocols TLSv1.2 TLSv1.3;
          return 200;
        }}"""
        for port, files in zip(ports, (full, short, other), strict=True)
    )
    with NginxServer(tmp_path / "nginx", servers):
        good, incomplete, wrong = await asyncio.gather(
            *(probe_tls(HOST, 443, network(p), ca.bundle, 3.0) for p in ports)
        )
        quick = await probe_tls(HOST, 443, network(ports[0]), ca.bundle, 3.0, versions=False)
    assert good.ok and good.verified is True and good.protocol == "TLSv1.3" and good.cipher
    assert [c.subject for c in good.chain][1] == good.chain[0].issuer
    leaf = good.leaf
    assert (
        leaf is not None and leaf.names == (HOST,) and leaf.not_after == now + dt.timedelta(days=60)
    )
    assert leaf.key == "EC secp256r1 256" and leaf.signature == "ecdsa-with-SHA256"
    assert good.accepted == {"TLSv1": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": True}
    assert len(incomplete.chain) == 1 and incomplete.verified is False
    assert incomplete.verify_code == 20
    assert wrong.verified is False and wrong.verify_code == 62
    assert quick.ok and quick.accepted == dict.fromkeys(tls.VERSIONS)


async def test_a_version_this_openssl_cannot_offer_is_not_testable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_nginx()
    real = tls._version_context
    monkeypatch.setattr(tls, "_version_context", lambda v: None if v == "TLSv1" else real(v))
    ca = LabCA(tmp_path / "ca")
    files = ca.leaf(HOST)
    port = free_port()
    servers = f"""
        server {{
          listen 127.0.0.1:{port} ssl;
          ssl_certificate {files.cert};
          ssl_certificate_key {files.key};
          ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
          ssl_ciphers DEFAULT:@SECLEVEL=0;
          return 200;
        }}"""
    with NginxServer(tmp_path / "nginx", servers):
        probe = await probe_tls(HOST, 443, network(port), ca.bundle, 3.0)
    assert probe.accepted["TLSv1"] is None  # unknown, never a false "not accepted"
    if real("TLSv1.1") is not None:
        assert probe.accepted["TLSv1.1"] is True
