"""Hosts that should not serve the store: alias hosts of the canonical origin, and staging.

Both questions are "does an anonymous visitor get content here?", answered by following
the root URL. No DNS, a refused connection, 401/403/404 or a redirect to the canonical
origin all mean "no": only a 2xx answer away from the canonical origin is a finding, so an
unreachable host never raises a false alarm.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from launchready import catalog
from launchready.checks.routing.matrix import hop_lines
from launchready.context import CheckContext
from launchready.fetch import Chain, follow
from launchready.findings import Finding
from launchready.manifest import Manifest


def canonical_host(manifest: Manifest) -> str | None:
    if manifest.site.canonical is None:
        return None
    return (urlsplit(manifest.site.canonical).hostname or "").lower() or None


def alias_hosts(manifest: Manifest) -> list[str]:
    """The names that look like the canonical origin to a shopper: the apex and www, and
    any other host the manifest calls a storefront. Without ``site.canonical`` nobody can
    say which one should win, so there are none."""
    canonical = canonical_host(manifest)
    if canonical is None:
        return []
    apex = manifest.site.domain.lower()
    names = [apex, f"www.{apex}"]
    names += [h.name.lower() for h in manifest.site.hosts if h.role == "storefront"]
    staging = {s.lower() for s in manifest.site.staging}
    return [n for n in dict.fromkeys(names) if n != canonical and n not in staging]


def _serves_content(chain: Chain, allowed: set[str]) -> bool:
    """A 2xx final answer on a host outside ``allowed`` (the production origin)."""
    final = chain.final
    if chain.loop or final.status is None or not 200 <= final.status < 300:
        return False
    return (urlsplit(final.url).hostname or "").lower() not in allowed


async def duplicate_hosts(ctx: CheckContext) -> list[Finding]:
    """An alias host answering 200 itself, while the canonical origin also answers."""
    manifest = ctx.manifest
    canonical = canonical_host(manifest)
    aliases = alias_hosts(manifest)
    if canonical is None or not aliases:
        return []
    main, *chains = await asyncio.gather(
        follow(ctx, f"https://{canonical}/"), *(follow(ctx, f"https://{a}/") for a in aliases)
    )
    if not _serves_content(main, set()):
        return []  # the canonical origin itself is not serving: duplicates are moot
    found = []
    for alias, chain in zip(aliases, chains, strict=True):
        if not chain.redirects and _serves_content(chain, {canonical}):
            found.append(
                catalog.finding(
                    "routing.duplicate-host",
                    target=f"https://{alias}/",
                    evidence={
                        "status": chain.final.status,
                        "canonical": manifest.site.canonical,
                    },
                )
            )
    return found


async def staging_reachable(ctx: CheckContext) -> list[Finding]:
    """A staging host that serves content over https or http to an anonymous request."""
    manifest = ctx.manifest
    canonical = canonical_host(manifest)
    production = set(manifest.audited_hosts()) | ({canonical} if canonical else set())
    hosts = [s.lower() for s in manifest.site.staging]
    urls = [f"{scheme}://{host}/" for host in hosts for scheme in ("https", "http")]
    chains = dict(zip(urls, await asyncio.gather(*(follow(ctx, u) for u in urls)), strict=True))
    found = []
    for host in hosts:
        open_urls = [
            u
            for u in (f"https://{host}/", f"http://{host}/")
            if _serves_content(chains[u], production)
        ]
        if open_urls:
            first = chains[open_urls[0]]
            found.append(
                catalog.finding(
                    "routing.staging-reachable",
                    target=open_urls[0],
                    evidence={
                        "open": list(open_urls),
                        "status": first.final.status,
                        "hops": hop_lines(first),
                    },
                    fingerprint_keys=("open",),
                )
            )
    return found
