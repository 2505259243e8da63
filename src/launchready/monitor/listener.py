"""The monitor's own HTTP listener (``--listen``): ``/healthz`` and the heartbeat pings.

A background job calls ``/ping/<name>`` (GET or POST) with its token as ``?token=`` or an
``Authorization: Bearer`` header; the token is compared in constant time and never logged.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from datetime import UTC, datetime

from aiohttp import web

from launchready.manifest.models import Heartbeat
from launchready.monitor.store import Store


def listener_app(
    store: Store,
    heartbeats: list[Heartbeat],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> web.Application:
    tokens = {b.name: b.token or "" for b in heartbeats}

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def ping(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        expected = tokens.get(name)
        if expected is None:
            return web.json_response({"error": "no such heartbeat"}, status=404)
        header = request.headers.get("Authorization", "")
        given = request.query.get("token") or header.removeprefix("Bearer ").strip()
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return web.json_response({"error": "wrong or missing token"}, status=403)
        await asyncio.to_thread(store.ping, name, now())
        return web.json_response({"status": "ok", "heartbeat": name})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_route("GET", "/ping/{name}", ping)
    app.router.add_route("POST", "/ping/{name}", ping)
    return app
