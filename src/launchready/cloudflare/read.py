"""Reading one zone through the official ``cloudflare`` SDK (its async client), read-only.

Four reads, each needing one permission of the token, which is what a refusal names:
the zone by name (Zone:Read), its settings (Zone Settings:Read), every DNS record with its
proxied flag, all pages (DNS:Read), and the ``http_ratelimit`` phase's entrypoint ruleset
(Zone WAF:Read; a zone without one simply has no rate-limiting rule). Only GET requests
are made. The token goes to the SDK and nowhere else: errors are reported by status and
permission, never with the request's headers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from launchready.errors import CheckTimeout, ConnectivityError
from launchready.findings import JSONValue
from launchready.manifest.models import Cloudflare
from launchready.net.http import ssl_context

ZONE_READ = "Zone:Read"
SETTINGS_READ = "Zone Settings:Read"
DNS_READ = "DNS:Read"
WAF_READ = "Zone WAF:Read"
SETTINGS = (
    "ssl",
    "min_tls_version",
    "always_use_https",
    "security_level",
    "development_mode",
    "security_header",
)
PER_PAGE = 100
WEB_TYPES = frozenset({"A", "AAAA", "CNAME"})
"""Record types that can be proxied: the ones a web host is published with."""
RATELIMIT_PHASE = "http_ratelimit"

T = TypeVar("T")


@dataclass(frozen=True)
class DnsRecord:
    type: str
    name: str
    content: str
    proxied: bool


@dataclass(frozen=True)
class RateRule:
    description: str
    expression: str
    enabled: bool


@dataclass(frozen=True)
class Zone:
    name: str
    id: str
    settings: dict[str, JSONValue]
    """Each of :data:`SETTINGS` the zone has, by name."""
    records: tuple[DnsRecord, ...]
    rate_rules: tuple[RateRule, ...]


class ZoneUnreadable(Exception):
    """The API refused (bad token, missing permission) or has no such zone: the
    ``cloudflare.unreachable`` finding, not a failure to check."""

    def __init__(self, reason: str, permission: str | None = None, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.permission = permission
        self.status = status


async def read_zone(section: Cloudflare, op_timeout: float, ca_bundle: Path | None) -> Zone:
    """The zone ``section.zone`` as the API at ``section.api_base`` describes it."""
    import cloudflare  # imported here: the SDK is large and most commands never need it
    import httpx

    http = httpx.AsyncClient(verify=ssl_context(ca_bundle), timeout=op_timeout)
    client = cloudflare.AsyncCloudflare(
        api_token=section.token,
        base_url=section.api_base,
        max_retries=1,
        timeout=op_timeout,
        http_client=http,
    )
    async with client:
        found = await _read(
            ZONE_READ, lambda: _first(client.zones.list(name=section.zone, per_page=5))
        )
        if found is None:
            raise ZoneUnreadable(
                f"the token sees no zone named {section.zone}", ZONE_READ, status=None
            )
        zone_id = str(found.id)
        values = await asyncio.gather(
            *(_read(SETTINGS_READ, _setting(client, zone_id, name)) for name in SETTINGS)
        )
        records = await _read(DNS_READ, lambda: _records(client, zone_id))
        rules = await _read(WAF_READ, lambda: _rate_rules(client, zone_id))
    settings = {
        name: value for name, value in zip(SETTINGS, values, strict=True) if value is not None
    }
    return Zone(str(found.name), zone_id, settings, tuple(records), tuple(rules))


def _setting(client: Any, zone_id: str, name: str) -> Callable[[], Awaitable[JSONValue]]:
    async def get() -> JSONValue:
        import cloudflare

        try:
            answer = await client.zones.settings.get(name, zone_id=zone_id)
        except cloudflare.NotFoundError:
            return None  # a setting this plan does not have
        value = getattr(answer, "value", None) if answer is not None else None
        return _plain(value)

    return get


async def _first(pages: Any) -> Any:
    async for item in pages:
        return item
    return None


async def _records(client: Any, zone_id: str) -> list[DnsRecord]:
    return [
        DnsRecord(
            str(r.type),
            str(r.name).rstrip(".").lower(),
            str(r.content),
            bool(getattr(r, "proxied", False)),
        )
        async for r in client.dns.records.list(zone_id=zone_id, per_page=PER_PAGE)
    ]


async def _rate_rules(client: Any, zone_id: str) -> list[RateRule]:
    import cloudflare

    try:
        ruleset = await client.rulesets.phases.get(RATELIMIT_PHASE, zone_id=zone_id)
    except cloudflare.NotFoundError:
        return []  # no entrypoint ruleset: the zone has no rate-limiting rule
    return [
        RateRule(
            str(getattr(rule, "description", "") or ""),
            str(getattr(rule, "expression", "") or ""),
            getattr(rule, "enabled", True) is not False,
        )
        for rule in getattr(ruleset, "rules", None) or []
    ]


async def _read(permission: str, call: Callable[[], Awaitable[T]]) -> T:
    """``call()``, its refusals turned into :class:`ZoneUnreadable` naming ``permission``,
    a network failure into a check error."""
    import cloudflare

    try:
        return await call()
    except cloudflare.AuthenticationError:
        raise ZoneUnreadable(
            "the API rejects the token (expired, revoked or mistyped)", permission, 401
        ) from None
    except cloudflare.PermissionDeniedError:
        raise ZoneUnreadable(
            f"the token lacks the {permission} permission", permission, 403
        ) from None
    except cloudflare.APITimeoutError:
        raise CheckTimeout("the Cloudflare API did not answer in time") from None
    except cloudflare.APIConnectionError as exc:
        raise ConnectivityError(
            f"the Cloudflare API cannot be reached: {type(exc).__name__}"
        ) from None
    except cloudflare.APIStatusError as exc:
        raise ConnectivityError(f"the Cloudflare API answered {exc.status_code}") from None


def _plain(value: Any) -> JSONValue:
    """An SDK value as plain JSON (models become dicts)."""
    if hasattr(value, "model_dump"):
        dumped: JSONValue = value.model_dump(mode="json")
        return dumped
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


__all__ = [
    "DNS_READ",
    "SETTINGS",
    "SETTINGS_READ",
    "WAF_READ",
    "WEB_TYPES",
    "ZONE_READ",
    "DnsRecord",
    "RateRule",
    "Zone",
    "ZoneUnreadable",
    "read_zone",
]
