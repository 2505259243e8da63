"""The web area: what the store's pages and endpoints tell a browser and an attacker.

It reads the pages a shopper lands on, every route as described, and the requests a
careless handler trips over (broken JSON, a stray quote, a webhook without its
signature), all fetched once and concurrently through the shared memo, then judges them:
mixed content, security headers, CSP, cookie flags, leaked errors and secrets, version
banners, and whether a webhook acts on an unsigned request.

A request that gets no answer is not a finding here (the routing and TLS areas report a
host that is down); when nothing at all answers, the area is a check error instead of a
clean bill of health.
"""

from __future__ import annotations

import asyncio

from launchready.catalog import finding
from launchready.checks.web import collect, headers, leaks
from launchready.checks.web.collect import Exchange
from launchready.checks.web.html import subresources
from launchready.context import CheckContext
from launchready.errors import ConnectivityError
from launchready.findings import Finding, Severity
from launchready.manifest import Manifest

__all__ = ["run", "skip_reason"]

MAX_REFS_SHOWN = 10


def skip_reason(manifest: Manifest) -> str | None:
    """Needs something to fetch: a canonical URL or a route."""
    if not manifest.site.canonical and not manifest.routes:
        return "the manifest names no site.canonical and no routes"
    return None


async def run(ctx: CheckContext) -> list[Finding]:
    pages, routes, probes = await asyncio.gather(
        collect.pages(ctx), collect.routes(ctx), collect.probes(ctx)
    )
    everything = [*pages, *routes, *probes]
    if not any(ex.answered for ex in everything):
        failures = "; ".join(f"{ex.label}: {ex.response.error}" for ex in everything[:4])
        raise ConnectivityError(f"no request of the web area got an answer ({failures})")
    documents = collect.html_pages([*pages, *routes])
    findings = mixed_content(documents)
    findings += headers.headers_missing(documents)
    findings += headers.csp_missing(documents)
    findings += headers.cookies_insecure(everything)
    findings += leaks.error_leaks(everything)
    findings += headers.version_disclosure(everything)
    findings += webhook_unsigned([ex for ex in probes if ex.kind == "unsigned"])
    return findings


def mixed_content(pages: list[Exchange]) -> list[Finding]:
    """web.mixed-content: an HTTPS page that loads anything over http://."""
    findings = []
    for ex in pages:
        if not ex.response.url.startswith("https://"):
            continue
        insecure = [r for r in subresources(ex.response.text, ex.response.url) if r.insecure]
        if insecure:
            findings.append(
                finding(
                    "web.mixed-content",
                    target=ex.response.url,
                    evidence={
                        "resources": [
                            {"url": r.url, "where": r.where} for r in insecure[:MAX_REFS_SHOWN]
                        ],
                        "total": len(insecure),
                    },
                    checkout=ex.checkout,
                    fingerprint_keys=["resources"],
                )
            )
    return findings


def webhook_unsigned(exchanges: list[Exchange]) -> list[Finding]:
    """web.webhook-unsigned-accepted: 2xx is a blocker, 5xx is high, 4xx is correct."""
    findings = []
    for ex in exchanges:
        status = ex.response.status
        if status is None or not (200 <= status < 300 or status >= 500):
            continue
        accepted = status < 300
        findings.append(
            finding(
                "web.webhook-unsigned-accepted",
                target=ex.response.url,
                evidence={
                    "request": ex.label,
                    "status": status,
                    "outcome": "accepted" if accepted else "crashed",
                },
                severity=None if accepted else Severity.HIGH,
                title=None
                if accepted
                else f"Webhook {ex.response.url} crashes on a request without a signature",
                fingerprint_keys=["outcome"],
            )
        )
    return findings
