"""The ``cloudflare.*`` findings of checks.md, from the zone as the API describes it.

Fingerprints name the zone, host or setting and the problem, never a value that changes
on its own (a record id, a timestamp), so baselines survive a zone edit elsewhere.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from launchready.catalog import finding
from launchready.cloudflare.ratelimit import coverage
from launchready.cloudflare.read import WEB_TYPES, DnsRecord, Zone, ZoneUnreadable
from launchready.findings import Finding, JSONValue, Severity
from launchready.manifest import Manifest
from launchready.manifest.models import WEB_ROLES

OLD_TLS = frozenset({"1.0", "1.1"})
SECURITY_OFF = frozenset({"off", "essentially_off"})
_SPF_HOST = re.compile(r"(?:^|\s)[+?~-]?(?:a|mx):([^\s/]+)", re.IGNORECASE)


def unreachable(zone: str, problem: ZoneUnreadable) -> Finding:
    evidence: dict[str, JSONValue] = {"problem": problem.reason}
    if problem.permission:
        evidence["permission"] = problem.permission
    if problem.status is not None:
        evidence["status"] = problem.status
    return finding(
        "cloudflare.unreachable", target=zone, evidence=evidence, fingerprint_keys=["problem"]
    )


def zone_findings(zone: Zone, manifest: Manifest) -> list[Finding]:
    return (
        _ssl(zone)
        + _not_proxied(zone, manifest)
        + _mail_proxied(zone, manifest)
        + _settings(zone)
        + _rate_limits(zone, manifest)
    )


def _ssl(zone: Zone) -> list[Finding]:
    mode = zone.settings.get("ssl")
    if mode in ("off", "flexible"):
        severity = Severity.BLOCKER if mode == "off" else None
        return [
            finding(
                "cloudflare.ssl-flexible",
                target=zone.name,
                evidence={"ssl": mode},
                severity=severity,
                fingerprint_keys=["ssl"],
            )
        ]
    if mode == "full":
        return [finding("cloudflare.ssl-not-strict", target=zone.name, evidence={"ssl": mode})]
    return []


def web_hosts(manifest: Manifest) -> list[str]:
    """The public web hosts: the audited hosts (``site.hosts``, and the hosts of the
    canonical URL, routes, redirects and chatbot, as the edge area audits them), except
    those ``site.hosts`` gives the role ``mail`` or ``other``, which are DNS-only by right."""
    return [
        host.lower()
        for host in manifest.audited_hosts()
        if manifest.host_role(host) in (None, *WEB_ROLES)
    ]


def _not_proxied(zone: Zone, manifest: Manifest) -> list[Finding]:
    origins = set(manifest.site.origin_ips)
    found = []
    for host in web_hosts(manifest):
        records = [r for r in zone.records if r.name == host and r.type in WEB_TYPES]
        exposed = [r for r in records if not r.proxied]
        if not exposed:
            continue
        evidence: dict[str, JSONValue] = {
            "records": [{"type": r.type, "content": r.content} for r in exposed],
            "points_at_origin": any(r.content in origins for r in exposed),
        }
        found.append(
            finding(
                "cloudflare.record-not-proxied", target=host, evidence=evidence, fingerprint_keys=[]
            )
        )
    return found


def mail_hosts(zone: Zone, manifest: Manifest) -> set[str]:
    """Hosts mail depends on: the zone's MX targets and the hosts its SPF record names."""
    hosts: set[str] = set()
    for record in zone.records:
        if record.type == "MX":
            hosts.add(record.content.split()[-1].rstrip(".").lower())
        elif record.type == "TXT" and "v=spf1" in record.content.lower():
            hosts |= {h.rstrip(".").lower() for h in _SPF_HOST.findall(record.content.strip('"'))}
    hosts |= {h.name.lower() for h in manifest.site.hosts if h.role == "mail"}
    return hosts


def _mail_proxied(zone: Zone, manifest: Manifest) -> list[Finding]:
    mail = mail_hosts(zone, manifest)
    return [
        finding(
            "cloudflare.mail-proxied",
            target=record.name,
            evidence={"record": _describe(record)},
            fingerprint_keys=[],
        )
        for record in zone.records
        if record.proxied and record.name in mail and record.type in WEB_TYPES
    ]


SETTING_PROBLEMS = (
    ("min_tls_version", OLD_TLS, "cloudflare.min-tls-old"),
    ("development_mode", frozenset({"on"}), "cloudflare.dev-mode-on"),
    ("security_level", SECURITY_OFF, "cloudflare.security-off"),
)
"""Settings whose value alone is the problem: (setting, bad values, finding)."""


def _settings(zone: Zone) -> list[Finding]:
    return [
        finding(
            finding_id,
            target=zone.name,
            evidence={setting: zone.settings[setting]},
            fingerprint_keys=[],
        )
        for setting, bad, finding_id in SETTING_PROBLEMS
        if zone.settings.get(setting) in bad
    ]


def protected_paths(manifest: Manifest) -> list[tuple[str, str, str]]:
    """``(what, host, path)`` that rate limiting must cover: each ``rate_limited`` route,
    and the chatbot."""
    wanted = [(r.name, r.url) for r in manifest.routes if r.rate_limited]
    if manifest.chatbot is not None:
        wanted.append(("chatbot", manifest.chatbot.url))
    found = []
    for name, url in wanted:
        parts = urlsplit(url)
        found.append((name, (parts.hostname or "").lower(), parts.path or "/"))
    return found


def _rate_limits(zone: Zone, manifest: Manifest) -> list[Finding]:
    rules = [(rule, coverage(rule.expression)) for rule in zone.rate_rules if rule.enabled]
    found = []
    for name, host, path in protected_paths(manifest):
        if any(cover.covers(host, path) for _, cover in rules):
            continue
        found.append(
            finding(
                "cloudflare.no-rate-limit-rule",
                target=path,
                evidence={
                    "route": name,
                    "host": host,
                    "rules": [r.description or r.expression for r, _ in rules] or "none",
                },
                fingerprint_keys=["route", "host"],
            )
        )
    return found


def _describe(record: DnsRecord) -> str:
    cloud = "proxied" if record.proxied else "DNS only"
    return f"{record.name} {record.type} {record.content} ({cloud})"


def zone_summary(zone: Zone) -> dict[str, JSONValue]:
    """The zone as found (``extras["cloudflare"]``), for the reports and the handover."""
    return {
        "zone": zone.name,
        "settings": dict(zone.settings),
        "proxied": sorted({r.name for r in zone.records if r.proxied}),
        "dns_only": sorted({r.name for r in zone.records if not r.proxied and r.type in WEB_TYPES}),
        "records": len(zone.records),
        "rate_limit_rules": [
            {"description": r.description, "expression": r.expression, "enabled": r.enabled}
            for r in zone.rate_rules
        ],
    }


__all__ = [
    "mail_hosts",
    "protected_paths",
    "unreachable",
    "web_hosts",
    "zone_findings",
    "zone_summary",
]
