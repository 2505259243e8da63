"""What real traffic says: the ``logs`` area of checks.md.

The area always runs: a manifest without a ``logs`` section is itself the finding
``logs.not-configured`` (nobody can see what customers hit), so skipping the area would
hide exactly that. With a section, the files are analysed in a thread (see
:mod:`launchready.logs`) while the routes are asked, through the audit's memoised
requests, whether they return the request-ID header. ``launchready logs`` runs the same
analysis and the same findings.
"""

from __future__ import annotations

import asyncio

from launchready.context import CheckContext
from launchready.fetch import route_response
from launchready.findings import Finding
from launchready.manifest import Manifest, Route
from launchready.net import HttpResponse

DELIVERABLE = "logs"


def skip_reason(manifest: Manifest) -> str | None:
    """Never skipped: without a logs section the area reports ``logs.not-configured``."""
    return None


def configured_reason(manifest: Manifest) -> str | None:
    """Why the manifest gives the audit no log to read, or None when it gives some."""
    section = manifest.logs
    if section is None:
        return "the manifest has no logs section"
    if not section.access and not section.app:
        return "the logs section names no access or app log"
    return None


async def run(ctx: CheckContext) -> list[Finding]:
    """Every ``logs.*`` check for the manifest's log files and routes."""
    from launchready.logs.findings import analysis_findings, not_configured  # polars: on use
    from launchready.logs.run import analyse_async, manifest_sources, options_for

    manifest = ctx.manifest
    reason = configured_reason(manifest)
    if reason is not None:
        return [not_configured(reason)]

    async def fetch(route: Route) -> HttpResponse:
        return await route_response(ctx, route)

    sources = await asyncio.to_thread(manifest_sources, manifest)  # globs touch the disk
    analysis = await analyse_async(sources, options_for(manifest, ctx.now()), fetch=fetch)
    ctx.deliver(DELIVERABLE, analysis.to_json())
    return analysis_findings(analysis)


__all__ = ["DELIVERABLE", "configured_reason", "run", "skip_reason"]
