"""The light-traffic probe: each route, one request at a time, against the 500 ms line.

The roadmap's audit failure signal is a p95 above 500 ms with a single client: a route
that is slow when nobody else is shopping will fall over under real traffic. Twenty
sequential requests per route (routes side by side) keep it cheap and polite.

The verdict is exact for the nearest-rank p95 of the planned requests, and needs fewer of
them when it is already decided: with 20 requests the p95 is the 19th fastest, so it is
over budget as soon as two answers are, whatever the rest would have been. A slow route
therefore costs two slow requests, not twenty. Webhooks (they need a signature) and
``rate_limited`` routes (the limiter would answer instead of the route) are left out.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Any

from launchready.catalog import finding
from launchready.context import CheckContext
from launchready.findings import Finding
from launchready.manifest import Route

LIGHT_REQUESTS = 20
LIGHT_BUDGET_S = 0.500
"""checks.md: p95 above 500 ms with a single client, checkout or not."""
SHARE = 0.95


@dataclass(frozen=True)
class LightResult:
    route: Route
    planned: int
    timings_ms: tuple[float, ...]
    """Answered requests, in order sent."""
    errors: int
    budget_ms: float

    @property
    def sent(self) -> int:
        return len(self.timings_ms) + self.errors

    @property
    def over(self) -> int:
        return sum(t > self.budget_ms for t in self.timings_ms)

    @property
    def allowed_over(self) -> int:
        """How many of the planned requests may exceed the budget with p95 still within it."""
        return self.planned - math.ceil(SHARE * self.planned)

    @property
    def slow(self) -> bool:
        return self.over > self.allowed_over

    def to_json(self) -> dict[str, Any]:
        ordered = sorted(self.timings_ms)
        complete = self.sent == self.planned and not self.errors
        return {
            "route": self.route.name,
            "url": self.route.url,
            "method": self.route.method,
            "planned": self.planned,
            "sent": self.sent,
            "errors": self.errors,
            "over_budget": self.over,
            "budget_ms": round(self.budget_ms),
            "p50_ms": _rank(ordered, 0.5),
            "p95_ms": _rank(ordered, SHARE) if complete else None,
            "max_ms": round(ordered[-1], 1) if ordered else None,
            "verdict": "slow" if self.slow else ("ok" if ordered else "no answer"),
        }


def _rank(ordered: list[float], share: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)], 1)


def probed_routes(routes: list[Route]) -> list[Route]:
    return [r for r in routes if not r.webhook and not r.rate_limited]


async def probe_route(
    ctx: CheckContext, route: Route, planned: int = LIGHT_REQUESTS
) -> LightResult:
    """Up to ``planned`` sequential requests, stopping once the verdict cannot change."""
    budget_ms = LIGHT_BUDGET_S * 1000
    timings: list[float] = []
    errors = 0
    allowed = planned - math.ceil(SHARE * planned)
    for _ in range(planned):
        response = await ctx.http.request(
            route.method,
            route.url,
            headers=route.headers,
            json=route.json_body,
            form=route.form,
            max_body=256 * 1024,
        )
        if response.status is None or response.total_ms is None:
            errors += 1
            if errors > allowed:
                break  # the route is down, not slow: routing reports that
            continue
        timings.append(response.total_ms)
        if sum(t > budget_ms for t in timings) > allowed:
            break
    return LightResult(route, planned, tuple(timings), errors, budget_ms)


async def light_traffic(ctx: CheckContext) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Findings for the slow routes and the per-route table (the ``light_traffic`` extra)."""
    results = await asyncio.gather(
        *(probe_route(ctx, r) for r in probed_routes(ctx.manifest.routes))
    )
    found = [
        finding(
            "perf.slow-light-traffic",
            target=result.route.url,
            evidence={
                "route": result.route.name,
                "over_budget": result.over,
                "sent": result.sent,
                "planned": result.planned,
                "slowest_ms": round(max(result.timings_ms), 1),
                "median_ms": _rank(sorted(result.timings_ms), 0.5),
                "budget_ms": round(result.budget_ms),
                "why": (
                    f"{result.over} of {result.sent} sequential requests took over "
                    f"{result.budget_ms:.0f} ms: the p95 of {result.planned} is over budget "
                    "whatever the rest would take"
                ),
            },
            checkout=result.route.checkout,
            fingerprint_keys=["route"],
        )
        for result in results
        if result.slow
    ]
    return found, [r.to_json() for r in results]
