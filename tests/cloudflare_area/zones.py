"""Zones for the cloudflare tests, served by the local fake of the Cloudflare API
(:mod:`launchready.demo.cfapi`). The real API cannot run here, so the fake is written from
Cloudflare's published API schema (v4 envelope, result_info pagination, error codes 10000
and 6003); everything else in these tests is real: the official SDK, HTTP on loopback."""

from __future__ import annotations

import copy
from typing import Any

from launchready.demo.cfapi import FakeZone

DOMAIN = "shop.test"
TOKEN = "cf-test-token-0123456789abcdefABCDEF"
ORIGIN = "203.0.113.10"

CLEAN_SETTINGS: dict[str, Any] = {
    "ssl": "strict",
    "min_tls_version": "1.2",
    "always_use_https": "on",
    "security_level": "medium",
    "development_mode": "off",
    "security_header": {"strict_transport_security": {"enabled": True, "max_age": 31536000}},
}
CLEAN_RECORDS: list[dict[str, Any]] = [
    {"type": "A", "name": DOMAIN, "content": "104.16.1.1", "proxied": True},
    {"type": "CNAME", "name": f"www.{DOMAIN}", "content": DOMAIN, "proxied": True},
    {"type": "A", "name": f"chat.{DOMAIN}", "content": "104.16.1.2", "proxied": True},
    {"type": "A", "name": f"mail.{DOMAIN}", "content": "198.51.100.25", "proxied": False},
    {"type": "MX", "name": DOMAIN, "content": f"mail.{DOMAIN}", "priority": 10, "proxied": False},
    {"type": "A", "name": f"smtp.{DOMAIN}", "content": "198.51.100.26", "proxied": False},
    {
        "type": "TXT",
        "name": DOMAIN,
        "content": f"v=spf1 a:smtp.{DOMAIN} include:_spf.esp.test -all",
    },
]
CLEAN_RULES: list[dict[str, Any]] = [
    {
        "action": "block",
        "description": "login and chat",
        "expression": '(http.request.uri.path eq "/login") or '
        'starts_with(http.request.uri.path, "/api/chat")',
        "enabled": True,
        "ratelimit": {
            "characteristics": ["ip.src", "cf.colo.id"],
            "period": 60,
            "requests_per_period": 20,
        },
    }
]

MANIFEST = """\
site:
  domain: {domain}
  cdn: cloudflare
  origin_ips: [{origin}]
  hosts:
    - {{name: www.{domain}, role: storefront}}
    - {{name: chat.{domain}, role: chat}}
    - {{name: mail.{domain}, role: mail}}
routes:
  - {{name: login, url: "https://www.{domain}/login", method: POST, rate_limited: true}}
chatbot: {{url: "https://chat.{domain}/api/chat"}}
cloudflare:
  zone: {zone}
  token: "${{CF_TEST_TOKEN}}"
  api_base: "{api}"
"""


def clean_zone() -> FakeZone:
    return FakeZone(
        DOMAIN,
        settings=copy.deepcopy(CLEAN_SETTINGS),
        records=copy.deepcopy(CLEAN_RECORDS),
        ratelimit_rules=copy.deepcopy(CLEAN_RULES),
    )


def flawed_zone() -> FakeZone:
    """Every cloudflare.* problem at once: SSL flexible, TLS 1.0, development mode on,
    security off, the storefront host DNS-only (pointing at the origin), the MX target and
    the SPF host proxied, and no rate-limiting rule at all."""
    zone = clean_zone()
    zone.settings.update(
        ssl="flexible",
        min_tls_version="1.0",
        development_mode="on",
        security_level="essentially_off",
    )
    for record in zone.records:
        if record["name"] == f"www.{DOMAIN}":
            record.update(type="A", content=ORIGIN, proxied=False)
        if record["name"] in (f"mail.{DOMAIN}", f"smtp.{DOMAIN}"):
            record["proxied"] = True
    zone.ratelimit_rules = None
    return zone
