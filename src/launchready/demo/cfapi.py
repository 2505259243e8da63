"""A local stand-in for the few Cloudflare API v4 endpoints the cloudflare area reads.

The real API cannot run here, so the demo (and the tests) serve this one, written from
Cloudflare's published API schema: the v4 envelope (``success``, ``errors``, ``messages``,
``result``), ``result_info`` page-number pagination (a page past the end is an empty
``result``, which is where the official SDK stops), bearer tokens with per-token
permissions, and the error codes the API gives for a bad token (401, code 10000) and a
token without the permission a call needs (403, code 10000). Only GET is answered: every
other method is refused with 405 and recorded, so a test proves launchready only reads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

ZONE_READ = "Zone:Read"
SETTINGS_READ = "Zone Settings:Read"
DNS_READ = "DNS:Read"
WAF_READ = "Zone WAF:Read"
ALL_PERMISSIONS = frozenset({ZONE_READ, SETTINGS_READ, DNS_READ, WAF_READ})
MAX_PER_PAGE = 5000
PHASE = "http_ratelimit"
STAMP = "2026-11-01T00:00:00.000000Z"


@dataclass
class FakeZone:
    """One zone as the API would describe it."""

    name: str
    id: str = "023e105f4ecef8ad9ca31a8372d0c353"
    settings: dict[str, Any] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    """``{type, name, content, proxied}`` each; ids and stamps are added when served."""
    ratelimit_rules: list[dict[str, Any]] | None = None
    """The ``http_ratelimit`` entrypoint's rules; None: the zone has no such ruleset."""


@dataclass
class FakeToken:
    value: str
    permissions: frozenset[str] = ALL_PERMISSIONS
    expired: bool = False


@dataclass
class FakeCloudflare:
    """The zones and tokens served, and every request seen (method, path)."""

    zones: list[FakeZone]
    tokens: list[FakeToken]
    seen: list[tuple[str, str]] = field(default_factory=list)


def _envelope(
    result: Any, status: int = 200, info: Mapping[str, int] | None = None
) -> web.Response:
    body: dict[str, Any] = {"success": True, "errors": [], "messages": [], "result": result}
    if info is not None:
        body["result_info"] = dict(info)
    return web.json_response(body, status=status)


def _error(status: int, code: int, message: str) -> web.Response:
    body = {"success": False, "errors": [{"code": code, "message": message}], "messages": []}
    return web.json_response(body, status=status, headers={"cf-ray": "8c0ffee000000000-LHR"})


def cloudflare_api_app(api: FakeCloudflare, prefix: str = "/client/v4") -> web.Application:
    """The API under ``prefix``, as ``https://api.cloudflare.com/client/v4`` has it."""

    def token_of(request: web.Request) -> FakeToken | web.Response:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _error(400, 6003, "Invalid request headers")
        token = next((t for t in api.tokens if t.value == header[7:]), None)
        if token is None or token.expired:
            return _error(401, 10000, "Authentication error")
        return token

    def allowed(request: web.Request, permission: str) -> web.Response | None:
        token = token_of(request)
        if isinstance(token, web.Response):
            return token
        if permission not in token.permissions:
            return _error(403, 10000, "Authentication error")
        return None

    def zone_of(request: web.Request, permission: str) -> FakeZone | web.Response:
        """The zone of the URL, once the token may read it with ``permission``."""
        refused = allowed(request, permission)
        if refused is not None:
            return refused
        found = next((z for z in api.zones if z.id == request.match_info["zone"]), None)
        return found if found is not None else _error(404, 7003, "Could not route to /zones")

    @web.middleware
    async def read_only(request: web.Request, handler: Any) -> web.StreamResponse:
        api.seen.append((request.method, request.path))
        if request.method != "GET":
            return _error(405, 10000, f"{request.method} is not allowed here")
        response: web.StreamResponse = await handler(request)
        return response

    async def zones(request: web.Request) -> web.Response:
        refused = allowed(request, ZONE_READ)
        if refused is not None:
            return refused
        name = request.query.get("name")
        matched = [z for z in api.zones if name is None or z.name == name]
        return _paged(request, [_zone(z) for z in matched], default_per_page=20)

    async def setting(request: web.Request) -> web.Response:
        zone = zone_of(request, SETTINGS_READ)
        if isinstance(zone, web.Response):
            return zone
        name = request.match_info["setting"]
        if name not in zone.settings:
            return _error(404, 1003, f"Invalid or missing zone setting: {name}")
        return _envelope(
            {"id": name, "value": zone.settings[name], "editable": True, "modified_on": STAMP}
        )

    async def records(request: web.Request) -> web.Response:
        zone = zone_of(request, DNS_READ)
        if isinstance(zone, web.Response):
            return zone
        served = [_record(zone, i, r) for i, r in enumerate(zone.records)]
        return _paged(request, served, default_per_page=100)

    async def ratelimit(request: web.Request) -> web.Response:
        zone = zone_of(request, WAF_READ)
        if isinstance(zone, web.Response):
            return zone
        if zone.ratelimit_rules is None:
            return _error(
                404, 10003, "could not find entrypoint ruleset in the http_ratelimit phase"
            )
        rules = [
            {"id": f"rule{i:04d}", "version": "1", "last_updated": STAMP, **rule}
            for i, rule in enumerate(zone.ratelimit_rules)
        ]
        return _envelope(
            {
                "id": "ratelimit0000",
                "name": "default",
                "kind": "zone",
                "phase": "http_ratelimit",
                "version": "1",
                "last_updated": STAMP,
                "rules": rules,
            }
        )

    app = web.Application(middlewares=[read_only])
    app.router.add_get(f"{prefix}/zones", zones)
    app.router.add_get(f"{prefix}/zones/{{zone}}/settings/{{setting}}", setting)
    app.router.add_get(f"{prefix}/zones/{{zone}}/dns_records", records)
    app.router.add_get(
        f"{prefix}/zones/{{zone}}/rulesets/phases/http_ratelimit/entrypoint", ratelimit
    )
    app.router.add_route("*", f"{prefix}/{{tail:.*}}", _not_found)
    return app


async def _not_found(request: web.Request) -> web.Response:
    return _error(404, 7000, "No route for that URI")


def _paged(
    request: web.Request, items: list[dict[str, Any]], default_per_page: int
) -> web.Response:
    try:
        page = max(1, int(float(request.query.get("page", "1"))))
        per_page = min(
            MAX_PER_PAGE, max(1, int(float(request.query.get("per_page", default_per_page))))
        )
    except ValueError:
        return _error(400, 1004, "page and per_page must be numbers")
    chunk = items[(page - 1) * per_page : page * per_page]
    info = {
        "page": page,
        "per_page": per_page,
        "count": len(chunk),
        "total_count": len(items),
        "total_pages": max(1, math.ceil(len(items) / per_page)),
    }
    return _envelope(chunk, info=info)


def _zone(zone: FakeZone) -> dict[str, Any]:
    return {
        "id": zone.id,
        "name": zone.name,
        "status": "active",
        "paused": False,
        "type": "full",
        "development_mode": 0,
        "name_servers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
        "created_on": STAMP,
        "modified_on": STAMP,
    }


def _record(zone: FakeZone, index: int, record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{index:032x}",
        "zone_id": zone.id,
        "zone_name": zone.name,
        "ttl": 1,
        "proxiable": record.get("type") in ("A", "AAAA", "CNAME"),
        "proxied": False,
        "settings": {},
        "meta": {},
        "comment": None,
        "tags": [],
        "created_on": STAMP,
        "modified_on": STAMP,
        **record,
    }


__all__ = [
    "ALL_PERMISSIONS",
    "DNS_READ",
    "SETTINGS_READ",
    "WAF_READ",
    "ZONE_READ",
    "FakeCloudflare",
    "FakeToken",
    "FakeZone",
    "cloudflare_api_app",
]
