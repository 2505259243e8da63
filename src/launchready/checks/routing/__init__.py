"""The routing area: do the store's URLs answer, and do they land on one canonical origin?

Three families of question, asked concurrently and sharing one HTTP memo: the manifest's
routes (each requested once, as described), the redirect matrix (every audited host over
http and https, and every planned redirect, followed hop by hop), and the hosts that must
not serve the store (aliases of the canonical origin, staging). The area delivers
``redirect_matrix`` and ``route_timings`` for the reports.

Only routes turn a connection failure into a finding; elsewhere an unreachable host is
recorded in the matrix and stays silent. When nothing at all answered, the area raises
:class:`~launchready.errors.ConnectivityError`: "could not check" is more honest than a
clean bill of health.
"""

from __future__ import annotations

import asyncio

from launchready.checks.routing import hosts, matrix, routes
from launchready.context import CheckContext
from launchready.errors import ConnectivityError
from launchready.findings import Finding
from launchready.manifest import Manifest

__all__ = ["run", "skip_reason"]


def skip_reason(manifest: Manifest) -> str | None:
    """Routing needs at least one URL to follow: a host, a route, a redirect or staging."""
    if manifest.audited_hosts() or manifest.site.staging:
        return None
    return "no hosts, routes, redirects or staging hosts in the manifest"


async def run(ctx: CheckContext) -> list[Finding]:
    (route_findings, timings), rows, duplicates, staging = await asyncio.gather(
        routes.check(ctx),
        matrix.build(ctx),
        hosts.duplicate_hosts(ctx),
        hosts.staging_reachable(ctx),
    )
    ctx.deliver("redirect_matrix", [row.as_json() for row in rows])
    ctx.deliver("route_timings", timings)
    if rows and not timings and all(row.chain.hops[0].status is None for row in rows):
        first = rows[0].chain.hops[0]
        raise ConnectivityError(
            f"no audited host answered over http or https ({len(rows)} URLs tried; "
            f"first: {first.url}: {first.error})"
        )
    return [*route_findings, *matrix.judge(rows), *duplicates, *staging]
