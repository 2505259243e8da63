"""The light-traffic probe against a loopback store whose latency each route chooses:
exactly over the p95 line it fires, exactly under it stays silent, and it stops sending as
soon as the verdict is decided."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from itertools import count
from pathlib import Path

import pytest
from aiohttp import web

from launchready.findings import Severity
from launchready.manifest import load_manifest
from launchready.perf.light import LIGHT_REQUESTS, light_traffic
from tests.checks.support import check_context
from tests.labserver import free_port, serve

SLOW_S = 0.6
FAST_S = 0.005


def every(nth: int, *, slow_at: set[int] | None = None) -> Callable[[int], float]:
    """A latency plan: request ``n`` (from 1) is slow when it is in ``slow_at`` or a multiple
    of ``nth``."""
    return lambda n: SLOW_S if (slow_at and n in slow_at) or (nth and n % nth == 0) else FAST_S


PLANS = {
    "fast": every(0),
    "slow": every(1),
    "one-in-twenty": every(20),
    "two-late": every(0, slow_at={3, 7}),
}


@pytest.fixture
async def lab() -> AsyncIterator[tuple[str, dict[str, int]]]:
    seen: dict[str, int] = {}
    counters = {name: count(1) for name in PLANS}

    async def handler(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        n = next(counters[name])
        seen[name] = n
        await asyncio.sleep(PLANS[name](n))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{name}", handler)
    async with serve(app) as origin:
        yield origin, seen


def manifest(write: Callable[[str], Path], origin: str, routes: str) -> Path:
    return write(f"site: {{domain: shop.test}}\nroutes:\n{routes.replace('ORIGIN', origin)}")


async def probe(path: Path) -> tuple[dict[str, object], dict[str, dict[str, object]]]:
    async with check_context(load_manifest(path)) as ctx:
        found, table = await light_traffic(ctx)
    return {f.evidence["route"]: f for f in found}, {row["route"]: row for row in table}


async def test_fires_exactly_over_the_p95_line_and_stops_early(
    lab: tuple[str, dict[str, int]], write_manifest: Callable[[str], Path]
) -> None:
    origin, seen = lab
    found, table = await probe(
        manifest(
            write_manifest,
            origin,
            """
  - {name: fast, url: "ORIGIN/fast"}
  - {name: slow, url: "ORIGIN/slow"}
  - {name: one-in-twenty, url: "ORIGIN/one-in-twenty"}
  - {name: two-late, url: "ORIGIN/two-late"}
""",
        )
    )
    assert set(found) == {"slow", "two-late"}
    assert seen == {
        "fast": LIGHT_REQUESTS,
        "slow": 2,
        "one-in-twenty": LIGHT_REQUESTS,
        "two-late": 7,
    }
    assert table["fast"]["p95_ms"] is not None
    assert table["fast"]["p95_ms"] < 500
    assert table["one-in-twenty"]["verdict"] == "ok"
    assert table["one-in-twenty"]["max_ms"] > 500
    slow = found["slow"]
    assert slow.severity is Severity.HIGH
    assert slow.evidence["over_budget"] == 2
    assert slow.evidence["sent"] == 2
    assert slow.evidence["slowest_ms"] >= SLOW_S * 1000


async def test_a_slow_checkout_is_a_blocker_and_webhooks_and_limited_routes_are_left_out(
    lab: tuple[str, dict[str, int]], write_manifest: Callable[[str], Path]
) -> None:
    origin, seen = lab
    found, table = await probe(
        manifest(
            write_manifest,
            origin,
            """
  - {name: slow, url: "ORIGIN/slow", method: POST, json: {cart: 1}, checkout: true}
  - {name: fast, url: "ORIGIN/fast", method: POST, webhook: true}
  - {name: two-late, url: "ORIGIN/two-late", method: POST, rate_limited: true,
     form: {email: a@shop.test}}
""",
        )
    )
    assert found["slow"].severity is Severity.BLOCKER
    assert set(table) == {"slow"}
    assert set(seen) == {"slow"}


async def test_a_route_that_does_not_answer_is_not_called_slow(
    write_manifest: Callable[[str], Path],
) -> None:
    closed = free_port()
    found, table = await probe(
        manifest(write_manifest, f"http://127.0.0.1:{closed}", '  - {name: gone, url: "ORIGIN/"}')
    )
    assert found == {}
    assert table["gone"]["verdict"] == "no answer"
    assert table["gone"]["sent"] == 2
