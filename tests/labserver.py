"""A real aiohttp server on 127.0.0.1 for the tests that need a store, a bot or a judge
whose every answer they choose."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web


def free_port() -> int:
    """A port nothing listens on right now (bound, read, released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def serve(app: web.Application, port: int | None = None) -> AsyncIterator[str]:
    """Run ``app`` on loopback for the block; yields its origin, ``http://127.0.0.1:PORT``."""
    chosen = port or free_port()
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", chosen).start()
    try:
        yield f"http://127.0.0.1:{chosen}"
    finally:
        await runner.cleanup()
