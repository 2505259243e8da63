"""The ``logs`` audit area end to end: real log files, a real loopback store, every
``logs.*`` ID firing on its flaw and silent on the clean case."""

from __future__ import annotations

import os
import textwrap
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from launchready.checks import logs as area
from launchready.findings import Finding, Severity
from launchready.manifest import load_manifest
from tests.checks.support import check_context
from tests.labserver import serve
from tests.secrets.corpus import expand

from .logfiles import (
    Hit,
    app_json,
    app_plain,
    combined,
    luhn_card,
    now,
    rid,
    spread,
    write,
)

ORDERS = 240
"""Requests per route in the clean access log: enough for every percentile rule."""


def _traffic(
    hours_ago: float = 2.0,
    *,
    seconds: float = 0.08,
    errors: int = 1,
    ids: bool = True,
    slow_orders: float | None = None,
) -> list[str]:
    """Four hours of shop traffic ending ``hours_ago`` ago: order lookups, the checkout
    POST, product pages; ``errors`` server errors spread far apart."""
    start = now() - timedelta(hours=hours_ago + 4)
    hits: list[Hit] = []
    for i, at in enumerate(spread(ORDERS, start, timedelta(minutes=1))):
        order = slow_orders if slow_orders is not None else seconds
        hits.append(Hit(at, f"/orders/{1000 + i}", seconds=order, request_id=rid(3 * i)))
        hits.append(Hit(at, "/checkout/session", "POST", seconds=0.2, request_id=rid(3 * i + 1)))
        hits.append(Hit(at, f"/products/{i % 17}", seconds=seconds, request_id=rid(3 * i + 2)))
    step = max(len(hits) // max(errors, 1), 1)
    for n in range(errors):
        hit = hits[n * step]
        hits[n * step] = Hit(hit.at, hit.path, hit.method, 502, hit.seconds, hit.request_id)
    return [combined(h if ids else Hit(h.at, h.path, h.method, h.status, h.seconds)) for h in hits]


def _app(hours_ago: float = 1.0, messages: list[str] | None = None) -> list[str]:
    start = now() - timedelta(hours=hours_ago)
    wanted = messages or (
        ["payment provider timed out after 3000 ms"] * 4
        + ["stock lookup failed for sku 17"] * 4
        + ["email queue full: 12 waiting"] * 4
    )
    lines = [app_json(start, "info", "worker started", rid(10_000))]
    for i, message in enumerate(wanted):
        lines.append(app_json(start + timedelta(seconds=i), "error", message, rid(20_000 + i)))
    return lines


def clean_logs(root: Path) -> None:
    """A healthy store's logs: a rotation set with a gzip, an app log folder."""
    write(root / "nginx" / "access.log.1.gz", _traffic(8), gz=True)
    stamp = (now() - timedelta(hours=6)).timestamp()
    os.utime(root / "nginx" / "access.log.1.gz", (stamp, stamp))
    write(root / "nginx" / "access.log", _traffic(0.05))
    write(root / "app" / "app.jsonl", _app())


MANIFEST = """\
site:
  domain: shop.test
routes:
  - name: order-status
    url: {origin}/orders/1001
  - name: checkout-session
    url: {origin}/checkout/session
    method: POST
    checkout: true
logs:
  access: ["nginx/access.log*"]
  app: ["app"]
  request_id: X-Request-ID
  window: 7d
"""


def store(with_header: bool) -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        headers = {"X-Request-ID": "3f2b8c1e9d4a"} if with_header else {}
        return web.json_response({"ok": True}, headers=headers)

    app = web.Application()
    app.router.add_get("/orders/1001", answer)
    app.router.add_post("/checkout/session", answer)
    return app


@pytest.fixture
async def origin() -> AsyncIterator[str]:
    async with serve(store(with_header=True)) as url:
        yield url


async def audit(root: Path, origin: str, manifest: str = MANIFEST) -> list[Finding]:
    path = root / "launchready.yaml"
    path.write_text(textwrap.dedent(manifest).format(origin=origin), encoding="utf-8")
    async with check_context(load_manifest(path)) as ctx:
        found = await area.run(ctx)
        assert ("logs" in ctx.deliverables) == (area.configured_reason(ctx.manifest) is None)
    return found


async def test_clean_logs_and_store_give_no_finding(tmp_path: Path, origin: str) -> None:
    clean_logs(tmp_path)
    found = await audit(tmp_path, origin)
    assert found == [], [(f.id, f.target, f.evidence) for f in found]


def _only(found: list[Finding], finding_id: str) -> list[Finding]:
    others = {f.id for f in found} - {finding_id}
    assert not others, [(f.id, f.target, f.evidence) for f in found if f.id != finding_id]
    hits = [f for f in found if f.id == finding_id]
    assert hits, f"{finding_id} did not fire"
    return hits


Flaw = Callable[[Path], None]


def _no_logs_section(root: Path) -> None:
    (root / "manifest.txt").write_text(MANIFEST.split("logs:")[0])


def _stale(root: Path) -> None:
    write(root / "nginx" / "access.log", _traffic(50))
    write(root / "app" / "app.jsonl", _app(hours_ago=49))
    for path in (root / "nginx" / "access.log", root / "app" / "app.jsonl"):
        stamp = (now() - timedelta(hours=48)).timestamp()
        os.utime(path, (stamp, stamp))


def _slow(root: Path) -> None:
    write(root / "nginx" / "access.log", _traffic(0.05, slow_orders=0.45))


def _errors(root: Path) -> None:
    write(root / "nginx" / "access.log", _traffic(0.05, errors=40))


def _secret(root: Path) -> None:
    key = expand("sk_live_{rand32}")
    lines = _app()
    lines.append(app_json(now(), "info", f"charging with key {key}", rid(1)))
    write(root / "app" / "app.jsonl", lines)


def _pii(root: Path) -> None:
    card = luhn_card()
    lines = _app()
    lines.append(app_json(now(), "info", f"checkout for jane.doe@example.com card {card}", rid(2)))
    write(root / "app" / "app.jsonl", lines)


def _missing_ids(root: Path) -> None:
    write(root / "nginx" / "access.log", _traffic(0.05, ids=False))


def _noisy(root: Path) -> None:
    messages = ["database connection reset by peer (attempt 3)"] * 9 + [
        "stock lookup failed for sku 17",
        "email queue full: 12 waiting",
        "payment provider timed out after 3000 ms",
    ]
    write(root / "app" / "app.jsonl", _app(messages=messages))


def _unreadable(root: Path) -> None:
    write(root / "app" / "app.jsonl", ["\x00\x01\x02 not a log", "still not a log"])


@pytest.mark.parametrize(
    ("flaw", "finding_id", "severity"),
    [
        (_stale, "logs.stale", Severity.MEDIUM),
        (_slow, "logs.slow-endpoint", Severity.HIGH),
        (_errors, "logs.error-spike", Severity.HIGH),
        (_secret, "logs.secret-exposed", Severity.BLOCKER),
        (_pii, "logs.pii-exposed", Severity.HIGH),
        (_missing_ids, "logs.no-request-id", Severity.MEDIUM),
        (_noisy, "logs.noisy-error", Severity.LOW),
        (_unreadable, "logs.unreadable", Severity.HIGH),
    ],
)
async def test_each_flaw_fires_its_id(
    tmp_path: Path, origin: str, flaw: Flaw, finding_id: str, severity: Severity
) -> None:
    clean_logs(tmp_path)
    flaw(tmp_path)
    (hit, *_) = _only(await audit(tmp_path, origin), finding_id)
    assert hit.severity is severity


async def test_not_configured_without_a_logs_section(tmp_path: Path, origin: str) -> None:
    found = await audit(tmp_path, origin, MANIFEST.split("logs:")[0])
    assert [(f.id, f.evidence["reason"]) for f in found] == [
        ("logs.not-configured", "the manifest has no logs section")
    ]
    empty = MANIFEST.split("logs:")[0] + "logs:\n  request_id: X-Request-ID\n"
    assert [f.id for f in await audit(tmp_path, origin, empty)] == ["logs.not-configured"]


async def test_a_pattern_matching_nothing_is_unreadable(tmp_path: Path, origin: str) -> None:
    clean_logs(tmp_path)
    manifest = MANIFEST.replace('["nginx/access.log*"]', '["nginx/access.log*", "caddy/*.log"]')
    (hit,) = _only(await audit(tmp_path, origin, manifest), "logs.unreadable")
    assert (hit.target, hit.evidence["problem"]) == ("caddy/*.log", "the pattern matches no file")


async def test_slow_checkout_is_judged_on_its_own_budget_and_raised(
    tmp_path: Path, origin: str
) -> None:
    clean_logs(tmp_path)
    lines = [line.replace(" 0.200 ", " 0.650 ") for line in _traffic(0.05)]
    write(tmp_path / "nginx" / "access.log", lines)
    (hit,) = _only(await audit(tmp_path, origin), "logs.slow-endpoint")
    assert hit.target == "POST /checkout/session"
    assert hit.evidence["route"] == "checkout-session"
    assert hit.evidence["budget_ms"] == 500
    assert hit.severity is Severity.BLOCKER  # checkout: true raises high to blocker


async def test_fewer_than_fifty_requests_are_not_judged_slow(tmp_path: Path, origin: str) -> None:
    clean_logs(tmp_path)
    start = now() - timedelta(minutes=50)
    slow = [
        combined(Hit(at, "/search", seconds=2.0, request_id=rid(i)))
        for i, at in enumerate(spread(49, start, timedelta(minutes=1)))
    ]
    write(tmp_path / "nginx" / "access.log", _traffic(0.05) + slow)
    assert await audit(tmp_path, origin) == []


async def test_a_five_minute_burst_is_a_spike_though_the_day_is_fine(
    tmp_path: Path, origin: str
) -> None:
    clean_logs(tmp_path)
    lines = _traffic(0.05)
    burst_at = now() - timedelta(hours=1)
    lines += [
        combined(
            Hit(
                burst_at + timedelta(seconds=i),
                "/checkout/session",
                "POST",
                503,
                0.1,
                rid(9000 + i),
            )
        )
        for i in range(6)
    ]
    write(tmp_path / "nginx" / "access.log", lines)
    (hit,) = _only(await audit(tmp_path, origin), "logs.error-spike")
    assert hit.evidence["rule"] == "window"
    assert hit.target == "POST /checkout/session"
    assert hit.severity is Severity.BLOCKER


async def test_routes_without_the_header_are_found_live(tmp_path: Path) -> None:
    clean_logs(tmp_path)
    async with serve(store(with_header=False)) as bare:
        found = await audit(tmp_path, bare)
    hits = _only(found, "logs.no-request-id")
    assert sorted((f.evidence["route"], f.severity) for f in hits) == [
        ("checkout-session", Severity.HIGH),
        ("order-status", Severity.MEDIUM),
    ]


async def test_the_window_ignores_what_happened_before_it(tmp_path: Path, origin: str) -> None:
    """Errors three days ago are outside ``window: 1d``; the old file is not even read."""
    clean_logs(tmp_path)
    write(tmp_path / "nginx" / "access.log.2.gz", _traffic(72, errors=60), gz=True)
    stamp = (now() - timedelta(hours=70)).timestamp()
    os.utime(tmp_path / "nginx" / "access.log.2.gz", (stamp, stamp))
    assert [f.id for f in await audit(tmp_path, origin)] == ["logs.error-spike"]
    assert await audit(tmp_path, origin, MANIFEST.replace("window: 7d", "window: 1d")) == []


async def test_plain_text_app_logs_are_read_too(tmp_path: Path, origin: str) -> None:
    clean_logs(tmp_path)
    (tmp_path / "app" / "app.jsonl").unlink()
    start = now() - timedelta(minutes=20)
    write(
        tmp_path / "app" / "app.log",
        [
            app_plain(start + timedelta(seconds=i), "error", "cart sync failed", rid(i))
            for i in range(12)
        ],
    )
    (hit,) = _only(await audit(tmp_path, origin), "logs.noisy-error")
    assert hit.evidence["template"] == "app: cart sync failed"
    assert hit.target == "app"
