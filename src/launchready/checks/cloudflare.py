"""The ``cloudflare`` area: the zone's own settings, read through its API.

From outside, the edge area can only infer what Cloudflare does; the zone's settings say
it exactly (SSL mode, proxied records, development mode, rate-limiting rules). A token the
API refuses, or a zone it does not know, is the finding ``cloudflare.unreachable``, naming
the permission the token lacks; a network failure is a check error. The joins with the
edge area's findings happen once every area has finished (:mod:`launchready.cloudflare.join`).
"""

from __future__ import annotations

from launchready.cloudflare.findings import unreachable, zone_findings, zone_summary
from launchready.cloudflare.read import ZoneUnreadable, read_zone
from launchready.context import CheckContext
from launchready.findings import Finding
from launchready.manifest import Manifest

DELIVERABLE = "cloudflare"


def skip_reason(manifest: Manifest) -> str | None:
    return None if manifest.cloudflare is not None else "no cloudflare section in the manifest"


async def run(ctx: CheckContext) -> list[Finding]:
    section = ctx.manifest.cloudflare
    assert section is not None
    ca = ctx.manifest.network.ca_bundle
    try:
        zone = await read_zone(section, ctx.timeout, ctx.manifest.resolve_path(ca) if ca else None)
    except ZoneUnreadable as problem:
        return [unreachable(section.zone, problem)]
    ctx.deliver(DELIVERABLE, zone_summary(zone))
    return zone_findings(zone, ctx.manifest)
