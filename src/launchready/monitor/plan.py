"""What the monitor watches, from the manifest, and how each kind of check is probed.

Every route (its ``expect``, or ``[STATUS] < 400``; ``== 200`` for health); the certificate
of every audited HTTPS host against ``monitor.cert_warning`` (14 days by default); the DNS
of the canonical host; one chatbot exchange under its budget; the heartbeats; and, with
``logs.access``, 5xx spikes and slow responses in real traffic. Each probe gives the
same verdict shape as a smoke step, with its conditions in resolved form.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

from launchready.conditions import Condition, ProbeResult, evaluate_all
from launchready.context import CheckContext
from launchready.manifest import Manifest, Route
from launchready.manifest.models import WEB_ROLES, Heartbeat, Network
from launchready.net.tls import probe_tls
from launchready.smoke.chatsteps import chat_step
from launchready.smoke.steps import StepResult, route_step

Kind = Literal["http", "certificate", "dns", "chatbot", "heartbeat", "region", "logs"]
DEFAULT_CERT_WARNING_S = 14 * 86400.0
PROBED: frozenset[Kind] = frozenset({"http", "certificate", "dns", "chatbot"})
"""Kinds :func:`probe` asks the network about; heartbeats, regions and logs are judged
from what the monitor itself keeps."""
SPIKE_CHECK = "logs 5xx-spike"
SLOW_CHECK = "logs slow-responses"
"""The two checks over the followed access logs (:mod:`.logwatch`)."""


@dataclass(frozen=True)
class MonitorCheck:
    name: str
    kind: Kind
    target: str
    route: Route | None = None
    heartbeat: Heartbeat | None = None


def plan(manifest: Manifest) -> list[MonitorCheck]:
    checks = [MonitorCheck(r.name, "http", r.url, r) for r in manifest.routes]
    checks += [MonitorCheck(f"certificate {h}", "certificate", h) for h in https_hosts(manifest)]
    canonical = urlsplit(manifest.site.canonical or "").hostname
    if canonical:
        checks.append(MonitorCheck(f"dns {canonical}", "dns", canonical))
    if manifest.chatbot is not None:
        checks.append(MonitorCheck("chatbot", "chatbot", manifest.chatbot.url))
    if manifest.logs is not None and manifest.logs.access:
        followed = ", ".join(manifest.logs.access)
        checks += [MonitorCheck(name, "logs", followed) for name in (SPIKE_CHECK, SLOW_CHECK)]
    for beat in manifest.monitor.heartbeats if manifest.monitor else []:
        checks.append(
            MonitorCheck(
                f"heartbeat {beat.name}", "heartbeat", f"/ping/{beat.name}", heartbeat=beat
            )
        )
    return checks


def heartbeat_verdict(
    check: MonitorCheck, last_ping: datetime | None, watching_since: datetime, now: datetime
) -> StepResult:
    """A job is late once ``period + grace`` has passed since its last ping (or since the
    monitor started watching, for a job that never pinged)."""
    beat = check.heartbeat
    assert beat is not None
    limit = beat.period + beat.grace
    waited = (now - (last_ping or watching_since)).total_seconds()
    ok = waited <= limit
    resolved = f"[LAST_PING] ({_spelled(round(waited))}) <= {_spelled(limit)}"
    return StepResult(
        check.name,
        "heartbeat",
        check.target,
        ok=ok,
        conditions=(resolved,),
        failed=() if ok else (resolved,),
        evidence={"last_ping": last_ping.isoformat() if last_ping else None},
    )


def https_hosts(manifest: Manifest) -> list[str]:
    """Hosts that serve HTTPS to shoppers: those of an https URL the manifest names (routes,
    the canonical origin, the chatbot, redirect targets) and web-role hosts; never staging."""
    urls = [r.url for r in manifest.routes] + [r.to for r in manifest.redirects]
    if manifest.site.canonical:
        urls.append(manifest.site.canonical)
    if manifest.chatbot is not None:
        urls.append(manifest.chatbot.url)
    names = {(urlsplit(u).hostname or "").lower() for u in urls if u.startswith("https://")}
    names |= {h.name for h in manifest.site.hosts if h.role in WEB_ROLES}
    return sorted(names - set(manifest.site.staging) - {""})


async def probe(ctx: CheckContext, check: MonitorCheck) -> StepResult:
    if check.kind == "http":
        assert check.route is not None
        return await route_step(ctx, check.route)
    if check.kind == "chatbot":
        return await chat_step(ctx)
    if check.kind == "certificate":
        return await _certificate(ctx, check)
    if check.kind == "dns":
        return await _dns(ctx, check)
    raise ValueError(f"{check.name}: a {check.kind} check is judged from the store, not probed")


async def _certificate(ctx: CheckContext, check: MonitorCheck) -> StepResult:
    manifest = ctx.manifest
    warning = manifest.monitor.cert_warning if manifest.monitor else DEFAULT_CERT_WARNING_S
    condition = Condition.parse(f"[CERTIFICATE_EXPIRATION] > {_spelled(warning)}")
    network = manifest.network
    ca = network.ca_bundle if network is not None else None
    started = time.perf_counter()
    result = await probe_tls(
        check.target,
        443,
        network or Network(),
        manifest.resolve_path(ca) if ca else None,
        ctx.timeout,
        resolver=ctx.resolver,
        versions=False,
    )
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    leaf = result.leaf
    left = (leaf.not_after - datetime.now(UTC)).total_seconds() if leaf is not None else None
    outcome = ProbeResult(
        status=None,
        response_time_ms=elapsed,
        body="",
        connected=result.ok,
        certificate_expiration_s=left,
    )
    return StepResult.judged(
        check.name,
        "certificate",
        check.target,
        evaluate_all([condition], outcome),
        elapsed_ms=elapsed,
        error=None if result.ok else f"{result.error_kind}: {result.error}",
        evidence={"days_left": round(left / 86400, 1) if left is not None else None},
    )


async def _dns(ctx: CheckContext, check: MonitorCheck) -> StepResult:
    started = time.perf_counter()
    answer = await ctx.resolver.query(check.target, "A")
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    outcome = ProbeResult(status=None, response_time_ms=elapsed, body="", connected=answer.ok)
    return StepResult.judged(
        check.name,
        "dns",
        check.target,
        evaluate_all([Condition.parse("[CONNECTED] == true")], outcome),
        elapsed_ms=elapsed,
        error=None if answer.ok else f"dns: {answer.status}",
        evidence={"records": list(answer.records)},
    )


def _spelled(seconds: float) -> str:
    """``14d`` rather than ``1209600s`` in the condition people read."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{round(seconds)}s"
