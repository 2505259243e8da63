"""Real servers for the smoke tests: the demo store (flawed and fixed) and a small aiohttp
store on 127.0.0.1 whose answers each test chooses, recording every request it gets."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    """One request a lab server received."""

    method: str
    path_qs: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LabStore:
    """A plain-HTTP store on 127.0.0.1: ``routes`` maps ``METHOD /path`` to a handler."""

    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    """Set at teardown: a hanging handler waits on it, so it ends with the test."""

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def hang(self, request: web.Request) -> web.StreamResponse:
        await self.release.wait()
        return web.Response(text="too late")


@pytest.fixture
async def lab() -> AsyncIterator[Callable[[dict[str, Handler]], Awaitable[LabStore]]]:
    """``store = await lab({"GET /healthz": handler, ...})``: a running lab store."""
    runners: list[web.AppRunner] = []
    stores: list[LabStore] = []

    async def start(routes: dict[str, Handler]) -> LabStore:
        store = LabStore()

        @web.middleware
        async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
            store.seen.append(
                Seen(request.method, request.path_qs, dict(request.headers), await request.read())
            )
            return await handler(request)

        app = web.Application(middlewares=[record])
        for key, handler in routes.items():
            method, _, path = key.partition(" ")
            app.router.add_route(method, path, handler)
        runner = web.AppRunner(app, shutdown_timeout=1)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        store.port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        runners.append(runner)
        stores.append(store)
        return store

    yield start
    for store in stores:
        store.release.set()
    for runner in runners:
        await runner.cleanup()


def answer(status: int = 200, text: str = "ok") -> Handler:
    """A handler that always answers ``status`` with ``text``."""

    async def handle(request: web.Request) -> web.Response:
        return web.Response(status=status, text=text)

    return handle
