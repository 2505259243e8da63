"""The routing area against hostile servers: a finding or a check error, quickly, never a hang.

A drip server (one byte a second), an endless chunked body and a 50 MB page are pointed at
routes and at audited hosts. Routes turn them into ``routing.route-down`` (the promise is
broken); a host row only records the failure. Bodies are capped by the client, so memory
stays bounded however much the server sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from launchready.checks import routing
from launchready.net.http import MAX_BODY_BYTES
from tests.checks.routing_lab import APEX, HOSTS, SHOP, WWW, clean_store, manifest_for, run_lab
from tests.checks.support import check_context
from tests.weblab.nginx import free_port

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OP_TIMEOUT = 1.5
DEADLINE = 8.0


@contextlib.asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[int]:
    """A plain-TCP server on 127.0.0.1 whose connections are cancelled on exit (bounded)."""
    tasks: set[asyncio.Task[None]] = set()

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    port = free_port()
    server = await asyncio.start_server(tracked, "127.0.0.1", port)
    try:
        yield port
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(1.0)


async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    while True:
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()


async def audit_route(folder: Path, port: int, *, http_host: bool = False) -> tuple[float, object]:
    """Run the area with a route (or, with ``http_host``, the http side of www) on ``port``."""
    resolve = {f"{WWW}:80": f"127.0.0.1:{port}", f"{APEX}:80": f"127.0.0.1:{free_port()}"}
    routes = (
        []
        if http_host
        else [
            {
                "name": "cart",
                "url": f"http://{WWW}/cart",
                "checkout": True,
                "expect": {"body_contains": "Your cart"},
            }
        ]
    )
    manifest = manifest_for(
        folder, resolve, None, {"hosts": [] if not http_host else HOSTS[1:]}, routes=routes
    )
    started = time.monotonic()
    async with check_context(manifest, op_timeout=OP_TIMEOUT) as ctx:
        try:
            result: object = await asyncio.wait_for(routing.run(ctx), DEADLINE)
        except Exception as exc:  # a check error is an acceptable outcome; a hang is not
            result = exc
    return time.monotonic() - started, result


async def test_a_dripping_route_is_down_within_the_timeout(tmp_path: Path) -> None:
    async with serving(drip) as port:
        elapsed, result = await audit_route(tmp_path, port)
    assert isinstance(result, list)
    (down,) = [f for f in result if f.id == "routing.route-down"]
    assert str(down.evidence["problem"]).startswith("timeout")
    assert elapsed < OP_TIMEOUT * 3


async def test_an_endless_body_is_capped_and_judged(tmp_path: Path) -> None:
    async with serving(endless) as port:
        elapsed, result = await audit_route(tmp_path, port)
    assert isinstance(result, list)
    (down,) = [f for f in result if f.id == "routing.route-down"]
    problem = str(down.evidence["problem"])
    assert f"the first {MAX_BODY_BYTES} bytes" in problem or problem.startswith("timeout")
    assert elapsed < DEADLINE


async def test_a_dripping_host_is_recorded_not_judged(tmp_path: Path) -> None:
    async with serving(drip) as port:
        elapsed, result = await audit_route(tmp_path, port, http_host=True)
    # www's https side and every other port are closed: nothing answered, so "could not
    # check" (a ConnectivityError) or no findings; never a finding built on the failure.
    assert not isinstance(result, list) or result == []
    assert elapsed < DEADLINE


async def test_a_fifty_megabyte_page(tmp_path: Path) -> None:
    html = tmp_path / "nginx" / "html"
    html.mkdir(parents=True)
    (html / "big.html").write_bytes(b"<p>" + b"x" * (50 * 1024 * 1024) + b"Your cart</p>")
    blocks = clean_store()
    blocks[(WWW, "https")] = f"location = /big.html {{ root {html}; }} location / {{ {SHOP} }}"
    routes = [
        {"name": "big", "url": f"https://{WWW}/big.html", "expect": {"body_contains": "Your cart"}}
    ]
    started = time.monotonic()
    out = await run_lab(
        tmp_path, blocks, site={"hosts": HOSTS}, routes=routes, op_timeout=OP_TIMEOUT * 2
    )
    (down,) = out.of("routing.route-down")
    assert f"the first {MAX_BODY_BYTES} bytes" in str(down.evidence["problem"])
    assert time.monotonic() - started < DEADLINE * 2
