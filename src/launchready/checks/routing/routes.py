"""The manifest's routes, each requested once as described, judged and timed.

A route is a promise the founder wrote down ("this URL answers"), so unlike a host probe a
failure here is a finding: a timeout, a refused connection or a TLS error on the cart is
exactly the outage the audit exists to catch. Webhook routes are left to the web area,
which sends them unsigned and expects a 4xx, an answer this module would call "down".
"""

from __future__ import annotations

import asyncio

from launchready import catalog
from launchready.context import CheckContext
from launchready.fetch import route_response
from launchready.findings import Finding, JSONValue
from launchready.manifest import Route
from launchready.net import HttpResponse

BODY_EXCERPT = 200


def judged(routes: list[Route]) -> list[Route]:
    return [r for r in routes if not r.webhook]


async def check(ctx: CheckContext) -> tuple[list[Finding], list[dict[str, JSONValue]]]:
    """Findings for failing routes, and the timing row of every judged route."""
    routes = judged(ctx.manifest.routes)
    responses = await asyncio.gather(*(route_response(ctx, r) for r in routes))
    findings = [
        f for r, resp in zip(routes, responses, strict=True) if (f := _judge(r, resp)) is not None
    ]
    return findings, [timing(r, resp) for r, resp in zip(routes, responses, strict=True)]


def problem(route: Route, response: HttpResponse) -> str | None:
    """Why the answer breaks the route's promise, in words, or None when it keeps it."""
    if response.status is None:
        return f"{response.error_kind or 'error'}: {response.error}"
    wanted = route.expect.statuses() if route.expect else None
    if wanted is not None and response.status not in wanted:
        return f"answered {response.status}, expected {' or '.join(map(str, wanted))}"
    if wanted is None and not 200 <= response.status < 400:
        return f"answered {response.status}, expected 2xx or 3xx"
    needle = route.expect.body_contains if route.expect else None
    if needle is not None and needle not in response.text:
        read = f"the first {len(response.body)} bytes" if response.truncated else "the body"
        return f"{read} does not contain {needle!r}"
    return None


def _judge(route: Route, response: HttpResponse) -> Finding | None:
    reason = problem(route, response)
    if reason is None:
        return None
    evidence: dict[str, JSONValue] = {
        "route": route.name,
        "method": route.method,
        "status": response.status,
        "problem": reason,
    }
    if route.expect is not None:
        evidence["expected"] = route.expect.model_dump(exclude_none=True)
    if response.status is not None and response.body:
        evidence["body"] = response.text[:BODY_EXCERPT]
    return catalog.finding(
        "routing.route-down",
        target=route.url,
        evidence=evidence,
        checkout=route.checkout,
        fingerprint_keys=("route", "method", "status"),
    )


def timing(route: Route, response: HttpResponse) -> dict[str, JSONValue]:
    return {
        "route": route.name,
        "method": route.method,
        "url": route.url,
        "status": response.status,
        "ttfb_ms": response.ttfb_ms,
        "total_ms": response.total_ms,
        "error": response.error,
        "checkout": route.checkout,
    }
