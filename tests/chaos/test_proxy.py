"""The fault proxy on its own: bytes pass through untouched (TLS included) and are counted,
and each fault does what Toxiproxy's toxic of the same name does."""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import AsyncIterator

import pytest
import trustme
from aiohttp import ClientSession, web

from launchready.chaos import PASS_THROUGH, Fault, FaultProxy
from tests.labserver import free_port, serve


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.write_eof()
    except ConnectionError:
        pass
    finally:
        writer.close()


@pytest.fixture
async def echo() -> AsyncIterator[int]:
    server = await asyncio.start_server(_echo, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


@pytest.fixture
async def proxy(echo: int) -> AsyncIterator[FaultProxy]:
    async with FaultProxy(f"127.0.0.1:{free_port()}", f"127.0.0.1:{echo}") as p:
        yield p


async def connect(proxy: FaultProxy) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(*proxy.listen)


async def test_arbitrary_bytes_pass_through_unchanged_and_are_counted(proxy: FaultProxy) -> None:
    payload = os.urandom(2 * 1024 * 1024)
    reader, writer = await connect(proxy)
    writer.write(payload)
    writer.write_eof()
    echoed = await reader.read()
    writer.close()
    assert echoed == payload
    counters = proxy.counters
    assert (counters.connections, counters.upstream_connections) == (1, 1)
    assert counters.bytes_up == counters.bytes_down == len(payload)
    assert counters.bytes_dropped == 0


async def test_tls_passes_through_untouched(tmp_path: object) -> None:
    """The store's TLS session is with the real service: the certificate verifies for its
    name through the proxy, and the proxy counts bytes but sees no HTTP inside."""
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("api.llm.test").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    server = await asyncio.start_server(_echo, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    try:
        async with FaultProxy(f"127.0.0.1:{free_port()}", f"127.0.0.1:{port}") as proxy:
            reader, writer = await asyncio.open_connection(
                *proxy.listen, ssl=client_ctx, server_hostname="api.llm.test"
            )
            message = b"POST /v1/complete HTTP/1.1\r\nHost: api.llm.test\r\n\r\n"
            writer.write(message)
            assert await reader.readexactly(len(message)) == message
            writer.close()
            counters = proxy.counters
            assert counters.bytes_up > len(message) and counters.bytes_down > len(message)
            assert counters.requests == 0
    finally:
        server.close()
        await server.wait_closed()


async def test_http_request_lines_are_counted_on_a_kept_alive_connection() -> None:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(await request.text())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    async with serve(app) as origin:
        port = int(origin.rsplit(":", 1)[1])
        async with FaultProxy(f"127.0.0.1:{free_port()}", f"127.0.0.1:{port}") as proxy:
            base = f"http://127.0.0.1:{proxy.listen[1]}"
            async with ClientSession() as session:
                for body in ("", "GET /inside HTTP/1.1\r\nHost: x\r\n\r\n", "x" * 100_000):
                    async with session.post(f"{base}/complete", data=body) as response:
                        assert response.status == 200
                async with session.get(f"{base}/again") as response:
                    assert response.status == 200
    assert len(seen) == 4
    assert proxy.counters.requests == 4
    assert proxy.counters.upstream_connections == 1


async def test_latency_delays_the_answer_by_about_l(proxy: FaultProxy) -> None:
    reader, writer = await connect(proxy)
    await proxy.set_fault(Fault("latency", latency=0.3))
    started = time.perf_counter()
    writer.write(b"ping")
    assert await reader.readexactly(4) == b"ping"
    assert 0.3 <= time.perf_counter() - started < 0.6
    await proxy.set_fault(PASS_THROUGH)
    started = time.perf_counter()
    writer.write(b"pong")
    assert await reader.readexactly(4) == b"pong"
    assert time.perf_counter() - started < 0.25  # under the 0.3 s it added: restored at once
    writer.close()


async def test_hang_accepts_and_never_answers_until_restored(proxy: FaultProxy) -> None:
    open_reader, open_writer = await connect(proxy)  # pooled before the fault
    await proxy.set_fault(Fault("hang"))
    new_reader, new_writer = await connect(proxy)  # accepted during the fault
    for writer in (open_writer, new_writer):
        writer.write(b"hello?")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(new_reader.read(1), 0.3)
    assert proxy.counters.bytes_dropped == 12
    assert proxy.counters.bytes_down == 0
    await proxy.set_fault(PASS_THROUGH)  # the hung connections are dropped
    for reader in (open_reader, new_reader):
        with pytest.raises(ConnectionResetError):
            await reader.read()
    reader, writer = await connect(proxy)
    writer.write(b"back")
    assert await reader.readexactly(4) == b"back"
    writer.close()


async def test_refuse_stops_listening_and_restore_listens_again(proxy: FaultProxy) -> None:
    reader, _writer = await connect(proxy)
    await proxy.set_fault(Fault("refuse"))
    assert not proxy.listening
    with pytest.raises(ConnectionRefusedError):
        await connect(proxy)
    with pytest.raises(ConnectionResetError):
        await reader.read()  # a service going down takes its connections with it
    await proxy.set_fault(PASS_THROUGH)
    reader, writer = await connect(proxy)
    writer.write(b"up")
    assert await reader.readexactly(2) == b"up"
    writer.close()


async def test_reset_mid_stream(proxy: FaultProxy) -> None:
    await proxy.set_fault(Fault("reset", reset_after=3))
    reader, writer = await connect(proxy)
    writer.write(b"abcdef")
    assert await reader.readexactly(3) == b"abc"
    with pytest.raises(ConnectionResetError):
        await reader.read()


async def test_bandwidth_limits_the_answer_rate(proxy: FaultProxy) -> None:
    await proxy.set_fault(Fault("bandwidth", rate=100_000))
    reader, writer = await connect(proxy)
    started = time.perf_counter()
    writer.write(b"x" * 50_000)
    assert len(await reader.readexactly(50_000)) == 50_000
    assert 0.45 <= time.perf_counter() - started < 1.5
    writer.close()


async def test_close_leaves_no_listener_and_no_connection(echo: int) -> None:
    port = free_port()
    proxy = FaultProxy(f"127.0.0.1:{port}", f"127.0.0.1:{echo}")
    await proxy.start()
    reader, _writer = await asyncio.open_connection("127.0.0.1", port)
    await proxy.set_fault(Fault("hang"))
    await asyncio.open_connection("127.0.0.1", port)
    await proxy.close()
    await proxy.close()
    assert proxy.open_connections == 0
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
    with pytest.raises(ConnectionResetError):
        await reader.read()


async def test_an_unreachable_upstream_closes_the_store_connection() -> None:
    async with FaultProxy(f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}") as proxy:
        reader, writer = await connect(proxy)
        assert await reader.read() == b""
        writer.close()
        assert proxy.counters.upstream_connections == 0


async def test_jitter_varies_the_latency_within_its_bounds(proxy: FaultProxy) -> None:
    await proxy.set_fault(Fault("latency", latency=0.2, jitter=0.1))
    assert proxy.fault.label == "latency 0.2s ±0.1s"
    reader, writer = await connect(proxy)
    for _ in range(3):
        started = time.perf_counter()
        writer.write(b"x")
        await reader.readexactly(1)
        assert 0.1 <= time.perf_counter() - started < 0.45
    writer.close()


def test_a_fault_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="negative"):
        Fault("latency", latency=-1)
    with pytest.raises(ValueError, match="rate"):
        Fault("bandwidth")
