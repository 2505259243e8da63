"""Whether anyone will hear about an outage: read from the manifest alone.

The live uptime monitor is ``launchready monitor``; this area only checks that the
manifest gives it something to watch and someone to tell.
"""

from __future__ import annotations

from launchready.catalog import finding
from launchready.context import CheckContext
from launchready.findings import Finding
from launchready.manifest import Manifest


async def run(ctx: CheckContext) -> list[Finding]:
    return check_manifest(ctx.manifest)


def check_manifest(manifest: Manifest) -> list[Finding]:
    findings: list[Finding] = []
    if not any(route.health for route in manifest.routes):
        findings.append(
            finding(
                "monitor.health-missing",
                target="routes",
                evidence={"routes": [r.name for r in manifest.routes]},
                fingerprint_keys=(),
            )
        )
    channels = manifest.monitor.notify if manifest.monitor else []
    if not [c for c in channels if c.strip()]:
        findings.append(finding("monitor.not-configured", target="monitor.notify"))
    return findings
