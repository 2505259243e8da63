"""Real HTTPS servers on loopback under a test CA (trustme), for the network layer's tests."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from aiohttp import web


@dataclass
class LabServer:
    port: int
    ca_path: Path
    hits: list[str]


async def _endless(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    chunk = b"x" * 65536
    for _ in range(10_000):  # bounded: 640 MiB at most, far past any client limit
        await response.write(chunk)
    return response


async def _drip(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    for _ in range(600):  # bounded: one byte every 50 ms for 30 s at most
        await response.write(b".")
        await asyncio.sleep(0.05)
    return response


def _app(hits: list[str]) -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        hits.append(f"{request.method} {request.host}{request.path_qs}")
        return web.Response(text=f"hello {request.host}", headers={"X-Seen-Host": request.host})

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(
            {"json": await request.json(), "auth": request.headers.get("Authorization")}
        )

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/")

    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_post("/echo", echo)
    app.router.add_get("/moved", moved)
    app.router.add_get("/endless", _endless)
    app.router.add_get("/drip", _drip)
    return app


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[LabServer]:
    ca = trustme.CA()
    cert = ca.issue_cert("www.shop.test", "shop.test")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_path = tmp_path / "lab-ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    hits: list[str] = []
    runner = web.AppRunner(_app(hits), handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield LabServer(port, ca_path, hits)
    finally:
        await runner.cleanup()
