"""The smoke test against real servers on loopback: the demo store and small lab stores."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from aiohttp import web

from launchready.errors import InputError
from launchready.findings import Severity
from launchready.manifest import Manifest, load_manifest
from launchready.runner import AuditOptions, open_context
from launchready.smoke import StepResult, run_smoke, smoke_report
from tests.smoke.conftest import Handler, LabStore, answer

Lab = Callable[[dict[str, Handler]], Awaitable[LabStore]]
WriteManifest = Callable[[str], Path]


def by_name(steps: list[StepResult]) -> dict[str, StepResult]:
    return {s.name: s for s in steps}


async def smoke(manifest: Manifest, op_timeout: float = 3.0, **kwargs: object) -> list[StepResult]:
    async with open_context(manifest, AuditOptions(timeout=op_timeout)) as ctx:
        return await run_smoke(ctx, **kwargs)  # type: ignore[arg-type]


# The demo store ------------------------------------------------------------------------


async def test_flawed_demo_fails_only_its_crashing_webhook(flawed: Path) -> None:
    report = await smoke_report(load_manifest(flawed), AuditOptions(timeout=5))
    steps = report.extras["smoke_steps"]
    names = [s["name"] for s in steps]
    assert names == [*(r.name for r in load_manifest(flawed).routes), "chat"]
    webhook = next(s for s in steps if s["name"] == "stripe-webhook")
    assert webhook["ok"] is False
    assert webhook["kind"] == "webhook"
    assert webhook["failed"] == ["[STATUS] (500) < 500"]
    assert webhook["evidence"]["method"] == "POST"
    assert [s["name"] for s in steps if not s["ok"]] == ["stripe-webhook"]
    health = next(s for s in steps if s["name"] == "health")
    assert health["conditions"] == ["[STATUS] (200) == 200", '[BODY] ("ok") contains "ok"']
    login = next(s for s in steps if s["name"] == "login")
    assert login["kind"] == "login"
    assert login["evidence"]["status"] == 200
    assert [(f.id, f.evidence["step"], f.severity) for f in report.findings] == [
        ("smoke.step-failed", "stripe-webhook", Severity.BLOCKER)
    ]
    assert report.checks[0].area == "smoke"


async def test_fixed_demo_passes_every_step(fixed: Path) -> None:
    report = await smoke_report(load_manifest(fixed), AuditOptions(timeout=5))
    steps = report.extras["smoke_steps"]
    assert len(steps) == len(load_manifest(fixed).routes) + 1
    assert all(s["ok"] for s in steps), [s for s in steps if not s["ok"]]
    chat = steps[-1]
    assert (chat["name"], chat["kind"]) == ("chat", "chat")
    assert chat["evidence"]["reply"]
    assert all(isinstance(s["elapsed_ms"], float) for s in steps)
    webhook = next(s for s in steps if s["name"] == "stripe-webhook")
    assert webhook["evidence"]["status"] == 400
    assert report.findings == ()


# Lab stores ----------------------------------------------------------------------------


def lab_manifest(write: WriteManifest, origin: str, routes: str) -> Manifest:
    return load_manifest(
        write(f"site: {{domain: shop.test}}\nroutes:\n{routes}".replace("ORIGIN", origin))
    )


async def test_each_route_is_sent_as_the_manifest_describes_it(
    lab: Lab, write_manifest: WriteManifest
) -> None:
    store = await lab(
        {
            "GET /": answer(200, "<h1>Shop</h1>"),
            "POST /checkout/session": answer(201, '{"id": "cs_1"}'),
            "POST /login": answer(303, ""),
            "POST /webhooks/stripe": answer(400, "no signature"),
        }
    )
    manifest = lab_manifest(
        write_manifest,
        store.origin,
        """\
  - {name: home, url: "ORIGIN/", headers: {X-Smoke: "yes"}}
  - name: checkout
    url: "ORIGIN/checkout/session"
    method: POST
    json: {cart_id: c1}
    checkout: true
  - {name: login, url: "ORIGIN/login", method: POST, form: {email: smoke@shop.test, password: pw}}
  - name: stripe-webhook
    url: "ORIGIN/webhooks/stripe"
    method: POST
    webhook: true
    headers: {Stripe-Signature: "t=1,v1=abc", X-Tenant: shop}
    json: {type: charge.succeeded}
""",
    )
    steps = by_name(await smoke(manifest))
    assert all(s.ok for s in steps.values()), steps
    assert steps["checkout"].kind == "checkout"
    assert steps["login"].evidence["status"] == 303
    seen = {(s.method, s.path_qs): s for s in store.seen}
    assert seen[("GET", "/")].headers["X-Smoke"] == "yes"
    assert json.loads(seen[("POST", "/checkout/session")].body) == {"cart_id": "c1"}
    login = seen[("POST", "/login")]
    assert parse_qs(login.body.decode()) == {"email": ["smoke@shop.test"], "password": ["pw"]}
    hook = seen[("POST", "/webhooks/stripe")]
    assert json.loads(hook.body) == {}
    assert "Stripe-Signature" not in hook.headers
    assert hook.headers["X-Tenant"] == "shop"
    assert len(store.seen) == 4


async def test_failures_carry_their_resolved_conditions(
    lab: Lab, write_manifest: WriteManifest
) -> None:
    store = await lab(
        {
            "GET /healthz": answer(503, "database unreachable"),
            "GET /status": answer(200, "degraded"),
            "POST /hook-500": answer(500, "Traceback (most recent call last)"),
            "POST /hook-200": answer(200, "accepted"),
            "GET /cart": answer(500, "oops"),
        }
    )
    manifest = lab_manifest(
        write_manifest,
        store.origin,
        """\
  - {name: health, url: "ORIGIN/healthz", health: true}
  - {name: status, url: "ORIGIN/status", expect: {status: 200, body_contains: ok}}
  - {name: hook-crash, url: "ORIGIN/hook-500", method: POST, webhook: true}
  - {name: hook-open, url: "ORIGIN/hook-200", method: POST, webhook: true}
  - {name: cart, url: "ORIGIN/cart", checkout: true}
""",
    )
    steps = by_name(await smoke(manifest))
    assert not any(s.ok for s in steps.values())
    assert steps["health"].failed == ("[STATUS] (503) == 200",)
    assert steps["status"].conditions == (
        "[STATUS] (200) == 200",
        '[BODY] ("degraded") contains "ok"',
    )
    assert steps["status"].failed == ('[BODY] ("degraded") contains "ok"',)
    assert steps["hook-crash"].failed == ("[STATUS] (500) < 500",)
    assert steps["hook-open"].failed == ("[STATUS] (200) >= 400",)
    assert steps["cart"].failed == ("[STATUS] (500) < 400",)
    assert all(s.error is None for s in steps.values())


async def test_a_hanging_route_fails_within_the_timeout(
    lab: Lab, write_manifest: WriteManifest
) -> None:
    store = await lab({"GET /": answer(), "GET /healthz": answer()})
    store_hang = await lab({"GET /healthz": store.hang})
    manifest = lab_manifest(
        write_manifest,
        store.origin,
        f"""\
  - {{name: home, url: "ORIGIN/"}}
  - {{name: health, url: "{store_hang.origin}/healthz", health: true}}
""",
    )
    started = time.perf_counter()
    steps = by_name(await smoke(manifest, op_timeout=1.0))
    assert time.perf_counter() - started < 5
    assert steps["home"].ok
    health = steps["health"]
    assert not health.ok
    assert health.error is not None and health.error.startswith("timeout:")
    assert health.failed == ("[STATUS] (no answer) == 200",)
    assert health.elapsed_ms is not None and health.elapsed_ms >= 900


async def test_a_refused_connection_is_a_failed_step(write_manifest: WriteManifest) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    manifest = lab_manifest(
        write_manifest, f"http://127.0.0.1:{port}", '  - {name: home, url: "ORIGIN/"}\n'
    )
    (step,) = await smoke(manifest)
    assert not step.ok
    assert step.error is not None and step.error.startswith("connect:")
    assert step.failed == ("[STATUS] (no answer) < 400",)
    assert step.evidence["status"] is None


async def test_redirects_are_not_followed(lab: Lab, write_manifest: WriteManifest) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/gone")

    store = await lab({"GET /old": moved, "GET /gone": answer(500, "broken")})
    manifest = lab_manifest(
        write_manifest,
        store.origin,
        """\
  - {name: old, url: "ORIGIN/old"}
  - {name: landing, url: "ORIGIN/old", expect: {status: 200}}
""",
    )
    steps = by_name(await smoke(manifest))
    assert steps["old"].ok
    assert steps["old"].evidence["status"] == 302
    assert steps["landing"].failed == ("[STATUS] (302) == 200",)
    assert [s.path_qs for s in store.seen] == ["/old", "/old"]


async def test_base_url_sends_every_route_to_another_origin(
    lab: Lab, write_manifest: WriteManifest
) -> None:
    production = await lab({"GET /": answer(), "GET /healthz": answer()})
    staging = await lab({"GET /": answer(), "GET /healthz": answer(503, "down")})
    manifest = lab_manifest(
        write_manifest,
        production.origin,
        """\
  - {name: home, url: "ORIGIN/?utm=smoke"}
  - {name: health, url: "ORIGIN/healthz", health: true}
""",
    )
    steps = by_name(await smoke(manifest, base_url=staging.origin))
    assert production.seen == []
    assert sorted(s.path_qs for s in staging.seen) == ["/?utm=smoke", "/healthz"]
    assert steps["home"].target == f"{staging.origin}/?utm=smoke"
    assert steps["health"].failed == ("[STATUS] (503) == 200",)
    assert (await smoke(manifest))[1].ok


async def test_results_keep_manifest_order_whatever_answers_first(
    lab: Lab, write_manifest: WriteManifest
) -> None:
    fast_arrived = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await fast_arrived.wait()
        return web.Response(text="slow")

    async def fast(request: web.Request) -> web.Response:
        fast_arrived.set()
        return web.Response(text="fast")

    store = await lab({"GET /slow": slow, "GET /fast": fast})
    manifest = lab_manifest(
        write_manifest,
        store.origin,
        '  - {name: slow, url: "ORIGIN/slow"}\n  - {name: fast, url: "ORIGIN/fast"}\n',
    )
    ended: list[str] = []

    async def chat() -> StepResult:
        return StepResult("chat", "chat", "https://chat.shop.test/", ok=True, elapsed_ms=3.0)

    async def crash() -> StepResult:
        raise RuntimeError("widget missing")

    steps = await smoke(
        manifest, extra_steps=[chat, crash], on_step=lambda step: ended.append(step.name)
    )
    assert [s.name for s in steps] == ["slow", "fast", "chat", "crash"]
    assert ended == ["fast", "slow", "chat", "crash"]
    assert steps[3].ok is False
    assert steps[3].error == "bug: RuntimeError: widget missing"


async def test_a_bad_base_url_is_refused_before_any_request(
    lab: Lab, write_manifest: WriteManifest
) -> None:
    store = await lab({"GET /": answer()})
    manifest = lab_manifest(write_manifest, store.origin, '  - {name: home, url: "ORIGIN/"}\n')
    with pytest.raises(InputError, match="--base-url"):
        await smoke(manifest, base_url=f"{store.origin}/app")
    assert store.seen == []


async def test_no_routes_is_bad_input(write_manifest: WriteManifest) -> None:
    manifest = load_manifest(write_manifest("site: {domain: shop.test}\n"))
    with pytest.raises(InputError, match="no routes to smoke-test"):
        await smoke_report(manifest, AuditOptions(timeout=1))


async def test_values_from_the_environment_never_reach_the_report(
    lab: Lab, write_manifest: WriteManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "tok-8f3a9c2e71d54b06"
    monkeypatch.setenv("SMOKE_TOKEN", token)

    async def echo(request: web.Request) -> web.Response:
        return web.Response(status=500, text=f"bad token {request.query.get('t')}")

    store = await lab({"GET /orders": echo})
    manifest = lab_manifest(
        write_manifest, store.origin, '  - {name: orders, url: "ORIGIN/orders?t=${SMOKE_TOKEN}"}\n'
    )
    lines: list[StepResult] = []
    report = await smoke_report(manifest, AuditOptions(timeout=3), on_step=lines.append)
    assert store.seen[0].path_qs == f"/orders?t={token}"
    assert token not in json.dumps(report.extras)
    assert token not in repr(report.findings)
    assert token not in repr(lines)
    assert "SMOKE_TOKEN" in report.extras["smoke_steps"][0]["target"]
