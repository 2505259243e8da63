"""The demo's Cloudflare zone, as the fake API (:mod:`.cfapi`) serves it to the audit.

Its DNS records are the demo's own zone (:mod:`.zones`) read record by record, so the API
and the demo's nameserver cannot disagree: the web hosts the demo serves over HTTPS are
proxied, everything else (the nameserver's address, the staging host, the dangling promo
alias, mail and verification records) is DNS-only, as Cloudflare has it. Records the API
does not list are left out: the apex NS and SOA (Cloudflare's own) and DNSSEC's records
(Cloudflare signs for the zone).

The zone is run well: SSL "strict", TLS 1.2 at least, security level medium, and a
rate-limiting rule on the login form and on the chatbot's endpoint. Its one planted flaw
is development mode left on (``cloudflare.dev-mode-on``); the fixed store turns it off.
Its HSTS setting says what the demo's servers do: off in the flawed store
(``tls.hsts-missing``), on in the fixed one.
"""

from __future__ import annotations

from typing import Any

import dns.rdatatype
import dns.zone

from launchready.demo.cfapi import FakeCloudflare, FakeToken, FakeZone
from launchready.demo.settings import DemoSettings

ZONE_ID = "9d0c5a7e31b84c2f8e6a41d2c0b7f3a5"
UNLISTED = frozenset({"SOA", "DNSKEY", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DS", "CDS"})
"""Types the API never lists (the zone's own SOA, DNSSEC records Cloudflare makes)."""
PROXIABLE = frozenset({"A", "AAAA", "CNAME"})
HSTS_MAX_AGE = 31_536_000
LOGIN_PATH = "/login"
CHAT_PATH = "/api/message"


def demo_api(settings: DemoSettings, zone: dns.zone.Zone, token: str) -> FakeCloudflare:
    """The API of this run: one zone, one token with every read permission."""
    return FakeCloudflare([demo_zone(settings, zone)], [FakeToken(token)])


def demo_zone(settings: DemoSettings, zone: dns.zone.Zone) -> FakeZone:
    return FakeZone(
        settings.domain,
        id=ZONE_ID,
        settings=zone_settings(settings.fixed),
        records=zone_records(settings, zone),
        ratelimit_rules=ratelimit_rules(settings),
    )


def zone_settings(fixed: bool) -> dict[str, Any]:
    return {
        "ssl": "strict",
        "min_tls_version": "1.2",
        "always_use_https": "on",
        "security_level": "medium",
        # The planted flaw: switched on to debug a stylesheet, then forgotten.
        "development_mode": "off" if fixed else "on",
        "security_header": {
            "strict_transport_security": {
                "enabled": fixed,
                "max_age": HSTS_MAX_AGE if fixed else 0,
                "include_subdomains": False,
                "preload": False,
                "nosniff": fixed,
            }
        },
    }


def proxied_hosts(settings: DemoSettings) -> frozenset[str]:
    """The public web hosts: every name the demo serves over HTTPS except staging."""
    return frozenset(h for h in settings.https_hosts if h != settings.staging)


def zone_records(settings: DemoSettings, zone: dns.zone.Zone) -> list[dict[str, Any]]:
    """The zone's records as the API lists them (``{type, name, content, proxied}`` and
    ``priority`` for MX), sorted by name and type."""
    proxied = proxied_hosts(settings)
    apex = zone.origin
    records: list[dict[str, Any]] = []
    for name, rdataset in zone.iterate_rdatasets():
        kind = dns.rdatatype.to_text(rdataset.rdtype)
        if kind in UNLISTED or (kind == "NS" and name == apex):
            continue
        host = name.to_text(omit_final_dot=True).lower()
        for rdata in rdataset:
            record: dict[str, Any] = {
                "type": kind,
                "name": host,
                "content": _content(kind, rdata),
                "proxied": kind in PROXIABLE and host in proxied,
                "ttl": 1 if host in proxied else rdataset.ttl,
            }
            if kind == "MX":
                record["priority"] = rdata.preference
            records.append(record)
    return sorted(records, key=lambda r: (r["name"], r["type"], r["content"]))


def _content(kind: str, rdata: Any) -> str:
    if kind in ("A", "AAAA"):
        return str(rdata.address)
    if kind in ("CNAME", "NS"):
        return str(rdata.target.to_text(omit_final_dot=True))
    if kind == "MX":
        return str(rdata.exchange.to_text(omit_final_dot=True))
    if kind == "TXT":
        return "".join(part.decode() for part in rdata.strings)
    if kind == "CAA":
        return f'{rdata.flags} {rdata.tag.decode()} "{rdata.value.decode()}"'
    return str(rdata.to_text())


def ratelimit_rules(settings: DemoSettings) -> list[dict[str, Any]]:
    """The ``http_ratelimit`` entrypoint's rules: the login form, and the chatbot's
    endpoint (every message is a model call someone pays for)."""
    return [
        _rule(
            "Login attempts",
            f'(http.request.uri.path eq "{LOGIN_PATH}" and http.request.method eq "POST")',
            per_period=10,
        ),
        _rule(
            "Chatbot messages",
            f'(http.host eq "{settings.chat}" and http.request.uri.path eq "{CHAT_PATH}")',
            per_period=30,
        ),
    ]


def _rule(description: str, expression: str, per_period: int) -> dict[str, Any]:
    return {
        "action": "block",
        "description": description,
        "expression": expression,
        "enabled": True,
        "ratelimit": {
            "characteristics": ["ip.src", "cf.colo.id"],
            "period": 60,
            "requests_per_period": per_period,
            "mitigation_timeout": 600,
        },
    }


__all__ = [
    "CHAT_PATH",
    "LOGIN_PATH",
    "ZONE_ID",
    "demo_api",
    "demo_zone",
    "proxied_hosts",
    "ratelimit_rules",
    "zone_records",
    "zone_settings",
]
