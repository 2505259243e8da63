"""The monitor's own HTTP listener (``--listen``).

- ``/`` the dashboard and ``/metrics`` (Prometheus): for the team; behind
  ``monitor.dashboard`` (a bearer token, or HTTP basic auth) whenever that is set, and the
  monitor refuses to listen beyond loopback without it.
- ``/status`` the public status page, ``/healthz`` the monitor's own health: for anyone.
- ``/ping/<name>`` (GET or POST) the heartbeats: a job's own token as ``?token=`` or an
  ``Authorization: Bearer`` header.

Every secret is compared in constant time and never logged. A dashboard token given as
``?token=`` is moved into a same-site cookie and dropped from the address bar, so it does
not linger in history or in a shared screenshot.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import ipaddress
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from launchready.errors import InputError
from launchready.manifest import Manifest
from launchready.manifest.models import Dashboard, Monitor
from launchready.monitor.metrics import Stats, registry
from launchready.monitor.overview import Overview, overview
from launchready.monitor.pages import dashboard, status_page
from launchready.monitor.store import Store

COOKIE = "launchready_dashboard"
OVERVIEW_TTL_S = 2.0
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Access:
    """Who may read the dashboard and ``/metrics``."""

    token: str | None = None
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_manifest(cls, section: Dashboard | None) -> Access:
        if section is None:
            return cls()
        return cls(section.token or None, section.username or None, section.password or None)

    @property
    def guarded(self) -> bool:
        return bool(self.token or (self.username and self.password))

    def require_for(self, host: str) -> None:
        """Refuse to serve an open dashboard beyond loopback."""
        if not self.guarded and not _loopback(host):
            raise InputError(
                f"--listen {host}: beyond loopback the dashboard needs monitor.dashboard.token"
                " (or username and password), e.g. token: ${MONITOR_DASHBOARD_TOKEN}"
            )

    def allows(self, request: web.Request) -> bool:
        if not self.guarded:
            return True
        header = request.headers.get("Authorization", "")
        if self.token:
            given = [
                header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else "",
                request.query.get("token", ""),
                request.cookies.get(COOKIE, ""),
            ]
            if any(g and _same(g, self.token) for g in given):
                return True
        if self.username and self.password and header.startswith("Basic "):
            try:
                pair = base64.b64decode(header[6:].strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return False
            user, _, password = pair.partition(":")
            return _same(user, self.username) & _same(password, self.password)
        return False

    def challenge(self) -> web.Response:
        scheme = 'Basic realm="launchready monitor"' if self.username else "Bearer"
        return web.Response(
            status=401,
            text="401: this dashboard needs its token or password\n",
            headers={"WWW-Authenticate": scheme},
        )


def listener_app(
    store: Store,
    manifest: Manifest,
    access: Access,
    stats: Stats,
    region: str,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> web.Application:
    section = manifest.monitor or Monitor()
    tokens = {b.name: b.token or "" for b in section.heartbeats}
    site = manifest.site.domain
    refresh_s = max(5, min(30, round(section.interval)))
    budgets = {r.name: r.budget_p95 * 1000 for r in manifest.routes if r.budget_p95}

    latest: list[tuple[float, Overview]] = []
    reading = asyncio.Lock()

    async def read() -> Overview:
        """The overview, read again at most every :data:`OVERVIEW_TTL_S`: a dashboard, a
        status page and a Prometheus scrape arriving together cost one read of the store
        (at 5,000 checks a read takes about half a second)."""
        async with reading:
            if latest and time.monotonic() - latest[-1][0] < OVERVIEW_TTL_S:
                return latest[-1][1]
            view = await asyncio.to_thread(overview, store, now())
            latest[:] = [(time.monotonic(), view)]
            return view

    def guarded(handler: Handler) -> Handler:
        async def checked(request: web.Request) -> web.StreamResponse:
            if not access.allows(request):
                return access.challenge()
            if "token" in request.query and access.token:
                moved = web.HTTPSeeOther(
                    request.rel_url.with_query(
                        {k: v for k, v in request.query.items() if k != "token"}
                    )
                )
                moved.set_cookie(COOKIE, request.query["token"], httponly=True, samesite="Strict")
                return moved
            return await handler(request)

        return checked

    async def home(request: web.Request) -> web.Response:
        html = dashboard(await read(), site, refresh_s, budgets)
        return web.Response(text=html, content_type="text/html", headers=_PAGE_HEADERS)

    async def status(request: web.Request) -> web.Response:
        html = status_page(await read(), site, refresh_s)
        return web.Response(text=html, content_type="text/html", headers=_PAGE_HEADERS)

    async def metrics(request: web.Request) -> web.Response:
        view = await read()
        body = await asyncio.to_thread(generate_latest, registry(lambda: view, stats, region))
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "region": region})

    async def ping(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        expected = tokens.get(name)
        if expected is None:
            return web.json_response({"error": "no such heartbeat"}, status=404)
        header = request.headers.get("Authorization", "")
        given = request.query.get("token") or header.removeprefix("Bearer ").strip()
        if not expected or not _same(given, expected):
            return web.json_response({"error": "wrong or missing token"}, status=403)
        await asyncio.to_thread(store.ping, name, now())
        return web.json_response({"status": "ok", "heartbeat": name})

    app = web.Application()
    app.router.add_get("/", guarded(home))
    app.router.add_get("/metrics", guarded(metrics))
    app.router.add_get("/status", status)
    app.router.add_get("/healthz", healthz)
    app.router.add_route("GET", "/ping/{name}", ping)
    app.router.add_route("POST", "/ping/{name}", ping)
    return app


_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
