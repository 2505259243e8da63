"""Is the CDN the manifest promises really in front of every host, and is the origin hidden?

A host answers "through the CDN" when its response carries the CDN's headers (data:
``cdn_headers.yaml``) or, for Cloudflare, when DNS puts it in Cloudflare's published ranges
(``cdn_ranges.yaml``). The origin is exposed when public DNS names one of ``origin_ips``
or when the origin itself serves the site's hostname to anyone who connects to it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from launchready.catalog import finding
from launchready.context import CheckContext
from launchready.data import in_cdn
from launchready.findings import Finding
from launchready.manifest import Network
from launchready.net import HttpClient, HttpResponse

ORIGIN_PORT = 443
"""Where the origin is asked for the site directly (tests point it at a lab port)."""
MAX_ORIGIN_PROBES = 12


@dataclass(frozen=True)
class Signature:
    provider: str
    cdn: str
    name: str
    value: str | None = None

    def matches(self, response: HttpResponse) -> bool:
        values = response.header_all(self.name)
        if self.value is None:
            return bool(values)
        return any(self.value.lower() in v.lower() for v in values)


@cache
def signatures() -> tuple[Signature, ...]:
    text = resources.files("launchready.data").joinpath("cdn_headers.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return tuple(
        Signature(str(s["provider"]), str(s["cdn"]), str(s["name"]).lower(), s.get("value"))
        for s in raw["signatures"]
    )


def served_by(response: HttpResponse, cdn: str) -> str | None:
    """The provider whose headers ``response`` carries, if it satisfies ``cdn``."""
    for sig in signatures():
        if (cdn == "other" or sig.cdn == cdn) and sig.matches(response):
            return sig.provider
    return None


async def no_cdn(ctx: CheckContext, hosts: list[str]) -> list[Finding]:
    """edge.no-cdn: each audited host that answers without any sign of the CDN."""
    cdn = ctx.manifest.site.cdn

    async def judge(host: str) -> Finding | None:
        response, addresses = await asyncio.gather(
            ctx.http.get(f"https://{host}/"), ctx.resolver.addresses(host)
        )
        if response.status is None and not addresses:
            return None  # down or unpublished: the routing and dns areas say so
        if served_by(response, cdn) or any(in_cdn(a, cdn) for a in addresses):
            return None
        return finding(
            "edge.no-cdn",
            target=host,
            evidence={
                "cdn": cdn,
                "addresses": addresses,
                "server": response.header("server") or "(none)",
            },
            fingerprint_keys=["cdn"],
        )

    results = await asyncio.gather(*(judge(h) for h in hosts))
    return [f for f in results if f is not None]


async def origin_in_dns(ctx: CheckContext, hosts: list[str]) -> list[Finding]:
    """edge.origin-exposed: a public A/AAAA record that names an origin address."""
    origins = set(ctx.manifest.site.origin_ips)
    answers = await asyncio.gather(*(ctx.resolver.addresses(h) for h in hosts))
    return [
        finding(
            "edge.origin-exposed",
            target=ip,
            evidence={"how": "dns", "host": host},
        )
        for host, addresses in zip(hosts, answers, strict=True)
        for ip in sorted(origins & set(addresses))
    ]


async def origin_answers(ctx: CheckContext, hosts: list[str]) -> list[Finding]:
    """edge.origin-exposed: the origin serves ``https://<host>/`` to a direct connection.

    A fresh client whose resolve map sends each host to the origin: certificate checks
    stay on, so only an origin that really serves the site (2xx/3xx) counts."""
    pairs = [(h, ip) for ip in ctx.manifest.site.origin_ips for h in hosts][:MAX_ORIGIN_PROBES]
    if not pairs:
        return []
    findings = []
    for ip in dict.fromkeys(ip for _, ip in pairs):
        address = f"[{ip}]" if ":" in ip else ip
        mine = [h for h, i in pairs if i == ip]
        network = Network(resolve={f"{h}:443": f"{address}:{ORIGIN_PORT}" for h in mine})
        ca = ctx.manifest.network.ca_bundle
        ca_bundle = ctx.manifest.resolve_path(ca) if ca else None
        async with HttpClient(
            network, ctx.resolver, ca_bundle=ca_bundle, timeout=ctx.timeout, max_body=64 * 1024
        ) as direct:
            responses = await asyncio.gather(*(direct.get(f"https://{h}/") for h in mine))
        for host, response in zip(mine, responses, strict=True):
            if response.status is not None and 200 <= response.status < 400:
                findings.append(
                    finding(
                        "edge.origin-exposed",
                        target=ip,
                        evidence={"how": "direct", "host": host, "status": response.status},
                        fingerprint_keys=["how", "host"],
                    )
                )
    return findings
