"""Reference data the checks match against, kept as YAML beside this module.

Provider facts change on the providers' schedule, not ours: a new takeover fingerprint or
a new CDN range should be a one-line data change reviewed against its source, not a code
change. Each file names its sources; this module only parses and validates them once.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TakeoverService:
    """A hosting service and how its answer shows an unclaimed resource."""

    name: str
    cname: tuple[str, ...]
    nxdomain: bool = False
    body: tuple[str, ...] = ()
    header: str | None = None
    status: int | None = None
    takeover: str = "vulnerable"
    source: str = ""

    def serves(self, hostname: str) -> bool:
        """True when ``hostname`` is one of the service's names (suffix on a label edge,
        so ``evilmyshopify.com`` is not Shopify)."""
        name = hostname.rstrip(".").lower()
        return any(name == s or name.endswith("." + s) for s in self.cname)

    def unclaimed(
        self, status: int | None, headers: Sequence[tuple[str, str]], body: str
    ) -> str | None:
        """The fingerprint text that says the resource is unclaimed, or None."""
        if not self.body or status is None:
            return None
        if self.status is not None and status != self.status:
            return None
        if self.header is not None:
            wanted = self.header.lower()
            if not any(wanted in f"{k}: {v}".lower() for k, v in headers):
                return None
        text = body.lower()
        return next((marker for marker in self.body if marker.lower() in text), None)


def _load(name: str) -> Any:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def takeover_services() -> tuple[TakeoverService, ...]:
    """Every service of ``takeover.yaml``, validated (a malformed entry is a bug here)."""
    services = []
    for raw in _load("takeover.yaml")["services"]:
        service = TakeoverService(
            name=str(raw["name"]),
            cname=tuple(str(s).lower().strip(".") for s in raw["cname"]),
            nxdomain=bool(raw.get("nxdomain", False)),
            body=tuple(str(b) for b in raw.get("body", ())),
            header=raw.get("header"),
            status=raw.get("status"),
            takeover=str(raw.get("takeover", "vulnerable")),
            source=str(raw.get("source", "")),
        )
        if not service.cname or not (service.nxdomain or service.body):
            raise ValueError(f"takeover.yaml: {service.name} needs cname and a condition")
        services.append(service)
    return tuple(services)


def takeover_service(names: Sequence[str]) -> TakeoverService | None:
    """The first service that serves any of ``names`` (the hops of a CNAME chain)."""
    return next((s for s in takeover_services() for n in names if s.serves(n)), None)


@cache
def cdn_ranges() -> Mapping[str, tuple[IPNetwork, ...]]:
    """Published edge ranges per CDN name (``cloudflare``), IPv4 and IPv6 together."""
    raw: dict[str, dict[str, Any]] = _load("cdn_ranges.yaml")
    return {
        cdn: tuple(
            ipaddress.ip_network(cidr) for key in ("ipv4", "ipv6") for cidr in spec.get(key, ())
        )
        for cdn, spec in raw.items()
    }


def in_cdn(address: str, cdn: str) -> bool:
    """True when ``address`` belongs to ``cdn``'s published ranges (False for unknown CDNs
    and for text that is not an address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in cdn_ranges().get(cdn, ()))
