"""The one gate of the active commands: ``chaos`` and ``deploy drill`` act on staging only.

They inject faults and deploy releases, so they send the routes' paths to
``deploy.drill.base_url`` and refuse to start when it is missing or names a production host
(``site.domain``, a ``site.hosts`` name, or the canonical host): a typo must not turn a
drill into an outage (manifest.md, rules).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from launchready.errors import InputError
from launchready.manifest import Manifest
from launchready.smoke.steps import check_origin


def production_hosts(manifest: Manifest) -> set[str]:
    hosts = {manifest.site.domain.lower(), *(h.name.lower() for h in manifest.site.hosts)}
    canonical = urlsplit(manifest.site.canonical or "").hostname
    if canonical:
        hosts.add(canonical.lower())
    return hosts


def staging_base_url(manifest: Manifest, command: str) -> str:
    """``deploy.drill.base_url`` as an origin, or an InputError naming what to fix."""
    drill = manifest.deploy.drill if manifest.deploy is not None else None
    base_url = drill.base_url if drill is not None else None
    if not base_url:
        raise InputError(
            f"{command} acts on a staging store only: set deploy.drill.base_url "
            "(e.g. https://staging.example.com) in the manifest"
        )
    host = (check_origin(base_url).hostname or "").lower()
    if host in production_hosts(manifest):
        raise InputError(
            f"{command}: deploy.drill.base_url {base_url} names the production host {host}; "
            "point it at a staging store"
        )
    return base_url.rstrip("/")


__all__ = ["production_hosts", "staging_base_url"]
