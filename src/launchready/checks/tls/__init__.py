"""The tls area: certificates, protocols and HSTS of every audited host, probed concurrently.

A host that does not resolve is the dns area's finding, not ours: it is left out here, so
one fault is reported once. A host whose lookup *failed* (a timeout) cannot be judged, so
the area then raises :class:`~launchready.errors.ConnectivityError` instead of guessing.

HSTS follows the roadmap: it is only worth adding once HTTPS is stable everywhere, so
``tls.hsts-missing`` waits until every audited host passes a strict handshake (trusted
chain, right name, not expired), and is then raised per host that lacks the header,
because a browser keeps HSTS per hostname and a header on www does not protect api.
Conversely an HSTS policy that reaches other hosts (includeSubDomains, preload) while
some audited host still fails HTTPS is ``tls.hsts-premature``: browsers would lock
shoppers out of that host for the whole max-age.

The area delivers ``tls``: one entry per host with the handshake, the accepted protocol
versions, the leaf, the chain as served and the HSTS header, for the reports.
"""

from __future__ import annotations

import asyncio
from typing import Any

from launchready.catalog import finding
from launchready.checks.tls.hsts import HSTS_MIN_MAX_AGE, HstsPolicy, parse_hsts
from launchready.checks.tls.rules import EXPIRING_HIGH_S, Judge
from launchready.context import CheckContext
from launchready.errors import ConnectivityError
from launchready.findings import Finding, JSONValue
from launchready.manifest import Manifest
from launchready.net import HttpResponse
from launchready.net.certs import days_left
from launchready.net.tls import TlsProbe, probe_tls

__all__ = ["run", "skip_reason"]

HTTPS_PORT = 443


def skip_reason(manifest: Manifest) -> str | None:
    """Nothing to probe without a public hostname beyond the bare domain."""
    if not manifest.audited_hosts():
        return "the manifest names no public host (site.hosts, site.canonical, routes)"
    return None


async def run(ctx: CheckContext) -> list[Finding]:
    manifest = ctx.manifest
    hosts = manifest.audited_hosts()
    ca = manifest.network.ca_bundle
    ca_bundle = manifest.resolve_path(ca) if ca else None
    probes: list[TlsProbe] = await asyncio.gather(
        *(
            probe_tls(
                h,
                HTTPS_PORT,
                manifest.network,
                ca_bundle,
                ctx.timeout,
                resolver=ctx.resolver,
                limiter=ctx.http.limiter,
            )
            for h in hosts
        )
    )
    checked = [p for p in probes if p.error_kind not in ("unresolved", "dns")]
    responses = await _hsts_responses(ctx, [p for p in checked if p.ok])
    judge = _judge(ctx)
    findings = [f for p in probes for f in judge.host(p)]
    failing = sorted(p.host for p in checked if not p.ok or p.verified is False)
    stable = all(p.ok and p.verified is True for p in checked)
    checkout = judge.checkout_hosts
    for probe in checked:
        response = responses.get(probe.host)
        if response is not None and response.ok:
            findings += _hsts(probe.host, response, failing, stable, probe.host in checkout)
    ctx.deliver("tls", [_entry(p, responses.get(p.host), ctx) for p in probes])
    lost = [p for p in probes if p.error_kind == "dns"]
    if lost:
        shown = "; ".join(p.error or p.host for p in lost)
        raise ConnectivityError(
            f"{len(lost)} host(s) could not be looked up, so their TLS was not checked: {shown}"
        )
    return findings


def _judge(ctx: CheckContext) -> Judge:
    manifest = ctx.manifest
    monitor = manifest.monitor
    return Judge(
        now=ctx.now(),
        store_names=(manifest.site.domain, *manifest.audited_hosts()),
        domain=manifest.site.domain.lower(),
        expiring_high_s=monitor.cert_warning if monitor is not None else EXPIRING_HIGH_S,
        checkout_hosts=frozenset(r.host for r in manifest.routes if r.checkout),
    )


async def _hsts_responses(ctx: CheckContext, probes: list[TlsProbe]) -> dict[str, HttpResponse]:
    """The home page of every host that answers TLS, through the shared memo."""
    fetched = await asyncio.gather(*(ctx.http.get(f"https://{p.host}/") for p in probes))
    return {p.host: r for p, r in zip(probes, fetched, strict=True)}


def _hsts(
    host: str, response: HttpResponse, failing: list[str], stable: bool, checkout: bool
) -> list[Finding]:
    """``stable``: a strict client (the audit's roots, the real name) completes the
    handshake with every host; ``failing``: the hosts where it is known not to."""
    target = f"https://{host}/"
    header = response.header("Strict-Transport-Security")
    policy = parse_hsts(header)
    if not isinstance(policy, HstsPolicy):
        if not stable:
            return []  # HTTPS is not stable everywhere yet: HSTS would come too early
        evidence: dict[str, JSONValue] = {
            "header": header,
            "reason": policy,
            "status": response.status,
        }
        return [finding("tls.hsts-missing", target=target, evidence=evidence, checkout=checkout)]
    found: list[Finding] = []
    if policy.reaches_other_hosts and failing:
        evidence = {"header": header, "failing_hosts": list(failing)}
        found.append(
            finding("tls.hsts-premature", target=target, evidence=evidence, checkout=checkout)
        )
    if policy.max_age < HSTS_MIN_MAX_AGE:
        evidence = {"header": header, "max_age": policy.max_age, "minimum": HSTS_MIN_MAX_AGE}
        found.append(finding("tls.hsts-short", target=target, evidence=evidence, checkout=checkout))
    return found


def _entry(probe: TlsProbe, response: HttpResponse | None, ctx: CheckContext) -> dict[str, Any]:
    """One host of the ``tls`` deliverable (shape shared with the report renderers)."""
    leaf = probe.leaf
    return {
        "host": probe.host,
        "ok": probe.ok,
        "error": probe.error,
        "protocol": probe.protocol,
        "cipher": probe.cipher,
        "accepted": dict(probe.accepted),
        "leaf": None
        if leaf is None
        else {
            "subject": leaf.subject,
            "issuer": leaf.issuer,
            "names": list(leaf.names),
            "not_before": leaf.not_before.isoformat(),
            "not_after": leaf.not_after.isoformat(),
            "days_left": days_left(leaf.not_after, ctx.now()),
            "key": leaf.key,
            "signature": leaf.signature,
        },
        "chain": [{"subject": c.subject, "issuer": c.issuer} for c in probe.chain],
        "hsts": response.header("Strict-Transport-Security") if response is not None else None,
    }
