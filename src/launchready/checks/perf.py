"""Speed: the light-traffic probe always, Lighthouse page scores with ``--lighthouse``, and
the load test with ``--load``: it sends real traffic for a minute, so it is never a side
effect of an audit (``launchready load`` runs it alone).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from launchready.context import CheckContext
from launchready.findings import Finding
from launchready.manifest import Manifest, Route
from launchready.perf.light import light_traffic


def skip_reason(manifest: Manifest) -> str | None:
    return None if manifest.routes else "no routes in the manifest"


async def run(ctx: CheckContext) -> list[Finding]:
    findings, table = await light_traffic(ctx)
    ctx.deliver("light_traffic", table)
    if ctx.lighthouse:
        found, summary = await _lighthouse(ctx)
        findings += found
        ctx.deliver("lighthouse", summary)
    if ctx.load is not None:
        from launchready.load.results import load_findings
        from launchready.load.run import run_load

        result = await run_load(ctx, ctx.load)
        findings += load_findings(result)
        ctx.deliver("load", result.to_json())
    return findings


def page_routes(manifest: Manifest) -> list[Route]:
    """The storefront pages a shopper opens: GET routes on a storefront host (or the
    canonical one) that are not health checks or webhooks."""
    canonical = urlsplit(manifest.site.canonical or "").hostname
    return [
        r
        for r in manifest.routes
        if r.method == "GET"
        and not (r.health or r.webhook)
        and (manifest.host_role(r.host) == "storefront" or r.host == canonical)
    ]


async def _lighthouse(ctx: CheckContext) -> tuple[list[Finding], dict[str, Any]]:
    from launchready.perf.lighthouse import lighthouse_findings, score_pages, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        return [], {"status": "skipped", "reason": reason}
    manifest = ctx.manifest
    network = manifest.network
    ca = network.ca_bundle if network is not None else None
    scores = await score_pages(
        [r.url for r in page_routes(manifest)],
        network,
        ca_bundle=manifest.resolve_path(ca) if ca else None,
        timeout=max(60.0, ctx.timeout * 6),
    )
    return lighthouse_findings(scores), {
        "status": "ran",
        "pages": [s.to_json() for s in scores],
    }
