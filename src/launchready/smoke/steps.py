"""One smoke step: a request the store must answer right after a deploy, and its verdict.

Each route of the manifest becomes one step, sent as the manifest describes it (headers, JSON
or form; the login route's form filled as given) with a fresh request, never the audit's
memo: a smoke must see the store as it is now. Redirects are not followed: a step is about
the one request the route names (the redirect matrix is the routing area's job), a 3xx is a
working answer, and a route that must land on a page says so with ``expect: {status: 200}``.

Speed is recorded, never judged: a slow route is the perf area's finding; a smoke step
fails only when the store does not work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from launchready.checks.web.collect import unsigned_headers
from launchready.conditions import Condition, ConditionResult, ProbeResult, evaluate_all
from launchready.context import CheckContext
from launchready.errors import InputError
from launchready.findings import redact_json
from launchready.manifest import Route
from launchready.net import HttpResponse

SMOKE_MAX_BODY = 1024 * 1024
"""Bytes of a body read for ``body_contains``: a smoke answer is a page or a small JSON."""
WEBHOOK_BODY: dict[str, Any] = {}
"""What the unsigned webhook request carries: valid JSON, so only the missing signature can
be the reason to refuse it."""
WEBHOOK_CONDITIONS = ("[STATUS] >= 400", "[STATUS] < 500")
"""manifest.md: an unsigned webhook must be rejected with a 4xx, never accepted, never 5xx."""


@dataclass(frozen=True)
class StepResult:
    """The outcome of one smoke step, as every report format and the deploy drill read it."""

    name: str
    """The route name (``home``, ``stripe-webhook``) or the step's own (``chat``)."""
    kind: str
    """``route``, ``health``, ``webhook``, ``login``, ``checkout``, ``chat`` or ``browser``."""
    target: str
    """The URL the step exercised."""
    ok: bool
    elapsed_ms: float | None = None
    conditions: tuple[str, ...] = ()
    """Every condition in resolved form, ``[STATUS] (503) == 200``."""
    error: str | None = None
    """Why there was no answer to judge (``connect: Connection refused``), if so."""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    """Extra facts: ``method`` and ``status`` for an HTTP step, a screenshot path..."""
    failed: tuple[str, ...] = ()
    """The resolved conditions that did not hold (a subset of ``conditions``)."""

    @classmethod
    def judged(
        cls,
        name: str,
        kind: str,
        target: str,
        results: Sequence[ConditionResult],
        *,
        elapsed_ms: float | None = None,
        error: str | None = None,
        evidence: Mapping[str, Any] | None = None,
    ) -> StepResult:
        """A step whose verdict is its conditions: ok when all hold and nothing went wrong."""
        failed = tuple(r.resolved for r in results if not r.ok)
        return cls(
            name=name,
            kind=kind,
            target=target,
            ok=not failed and error is None,
            elapsed_ms=elapsed_ms,
            conditions=tuple(r.resolved for r in results),
            error=error,
            evidence=dict(evidence or {}),
            failed=failed,
        )

    @property
    def checkout(self) -> bool:
        """Whether the step exercises checkout (its failure costs sales)."""
        return self.kind == "checkout" or self.evidence.get("checkout") is True

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "target": self.target,
            "ok": self.ok,
            "elapsed_ms": self.elapsed_ms,
            "conditions": list(self.conditions),
            "failed": list(self.failed),
            "error": self.error,
            "evidence": dict(self.evidence),
        }

    def with_text(self, transform: Callable[[str], str]) -> StepResult:
        """A copy with every string passed through ``transform`` (redaction of ``${VAR}``)."""
        return replace(
            self,
            name=transform(self.name),
            target=transform(self.target),
            conditions=tuple(transform(c) for c in self.conditions),
            failed=tuple(transform(c) for c in self.failed),
            error=transform(self.error) if self.error is not None else None,
            evidence=redact_json(dict(self.evidence), transform),
        )


def route_kind(route: Route) -> str:
    """What a route is for, most specific first; a route with a ``form`` is the login."""
    if route.webhook:
        return "webhook"
    if route.health:
        return "health"
    if route.checkout:
        return "checkout"
    if route.form is not None:
        return "login"
    return "route"


def route_conditions(route: Route) -> list[Condition]:
    """What "working" means for ``route``: its own ``conditions`` when it has some.

    A webhook must refuse the unsigned request with a 4xx (its ``expect`` describes signed
    traffic, so it does not apply). Otherwise ``expect`` decides; a status it leaves open
    is ``< 400``, or ``== 200`` for the health route, whose whole job is to say "healthy".
    """
    if route.conditions:
        return [Condition.parse(text) for text in route.conditions]
    if route.webhook:
        return [Condition.parse(text) for text in WEBHOOK_CONDITIONS]
    expect = route.expect
    statuses = expect.statuses() if expect is not None else None
    conditions: list[Condition] = []
    if statuses:
        listed = ", ".join(str(s) for s in statuses)
        wanted = listed if len(statuses) == 1 else f"any({listed})"
        conditions.append(Condition("STATUS", "==", wanted))
    else:
        conditions.append(Condition.parse("[STATUS] == 200" if route.health else "[STATUS] < 400"))
    if expect is not None and expect.body_contains is not None:
        conditions.append(Condition("BODY", "contains", expect.body_contains))
    return conditions


def rebase(url: str, base_url: str | None) -> str:
    """``url`` with its scheme, host and port taken from ``base_url``; path and query kept."""
    if base_url is None:
        return url
    origin = check_origin(base_url)
    parts = urlsplit(url)
    return urlunsplit((origin.scheme, origin.netloc, parts.path, parts.query, ""))


def check_origin(base_url: str) -> SplitResult:
    """``base_url`` split, or an InputError unless it is ``scheme://host[:port]`` alone."""
    parts = urlsplit(base_url.strip())
    try:
        _ = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        parts = urlsplit("")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise InputError(
            f"--base-url {base_url!r}: write an origin, scheme://host[:port] "
            "(e.g. https://staging.example.com), with no path or query"
        )
    return parts


async def route_step(ctx: CheckContext, route: Route, base_url: str | None = None) -> StepResult:
    """Request ``route`` once, now, and judge the answer by :func:`route_conditions`.

    A webhook route gets the unsigned request instead: its method (POST when the manifest
    says GET), an empty JSON object, and its headers minus anything that looks like a
    signature."""
    url = rebase(route.url, base_url)
    kind = route_kind(route)
    if route.webhook:
        method = route.method if route.method not in ("GET", "HEAD") else "POST"
        response = await ctx.http.request(
            method,
            url,
            headers=unsigned_headers(route),
            json=WEBHOOK_BODY,
            max_body=SMOKE_MAX_BODY,
        )
    else:
        response = await ctx.http.request(
            route.method,
            url,
            headers=route.headers,
            json=route.json_body,
            form=route.form,
            max_body=SMOKE_MAX_BODY,
        )
    results = evaluate_all(route_conditions(route), probe_result(response))
    error = f"{response.error_kind}: {response.error}" if response.status is None else None
    return StepResult.judged(
        route.name,
        kind,
        url,
        results,
        elapsed_ms=response.total_ms,
        error=error,
        evidence={"method": response.method, "status": response.status, "checkout": route.checkout},
    )


def probe_result(response: HttpResponse) -> ProbeResult:
    """What the conditions read from an HTTP answer (or its absence)."""
    return ProbeResult(
        status=response.status,
        response_time_ms=response.total_ms,
        body=response.text,
        connected=response.status is not None,
    )
