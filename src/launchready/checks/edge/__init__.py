"""The edge area: what sits between the shopper and the origin, and what it caches.

It reuses the web area's fetches (pages and routes, through the shared memo), fetches
the static files the pages load once each, and judges caching and compression; when the
manifest promises a CDN it checks that every host is behind it and that the origin is not
reachable around it. The rate-limit burst is opt-in (``ctx.probe_rate_limits``) because
it is real traffic.
"""

from __future__ import annotations

import asyncio

from launchready.checks.edge import caching, cdn, ratelimit
from launchready.checks.web import collect
from launchready.context import CheckContext
from launchready.errors import ConnectivityError
from launchready.findings import Finding
from launchready.manifest import Manifest

__all__ = ["run", "skip_reason"]


def skip_reason(manifest: Manifest) -> str | None:
    """Needs something to fetch: a canonical URL or a route."""
    if not manifest.site.canonical and not manifest.routes:
        return "the manifest names no site.canonical and no routes"
    return None


async def run(ctx: CheckContext) -> list[Finding]:
    pages, routes = await asyncio.gather(collect.pages(ctx), collect.routes(ctx))
    everything = [*pages, *routes]
    if not any(ex.answered for ex in everything):
        failures = "; ".join(f"{ex.label}: {ex.response.error}" for ex in everything[:4])
        raise ConnectivityError(f"no request of the edge area got an answer ({failures})")
    documents = collect.html_pages(everything)
    hosts = ctx.manifest.audited_hosts()
    behind_cdn = ctx.manifest.site.cdn != "none"
    files, cdn_findings, burst_findings = await asyncio.gather(
        caching.assets(ctx, documents),
        _cdn(ctx, hosts) if behind_cdn else _nothing(),
        ratelimit.no_rate_limit(ctx) if ctx.probe_rate_limits else _nothing(),
    )
    findings = list(cdn_findings)
    findings += caching.static_not_cached(files)
    findings += caching.private_cached(everything)
    findings += caching.no_compression([*(ex.response for ex in documents), *files])
    findings += burst_findings
    return findings


async def _cdn(ctx: CheckContext, hosts: list[str]) -> list[Finding]:
    groups = await asyncio.gather(
        cdn.no_cdn(ctx, hosts), cdn.origin_in_dns(ctx, hosts), cdn.origin_answers(ctx, hosts)
    )
    return [f for group in groups for f in group]


async def _nothing() -> list[Finding]:
    return []
