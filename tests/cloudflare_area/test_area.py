"""The cloudflare area through the official SDK against the local fake of the Cloudflare
API (a fake because the real API cannot run here; see zones.py): every ``cloudflare.*`` ID
fires on the flawed zone and none on the clean one, 250 records over three pages, a bad
token and each missing permission named, and nothing but GET ever sent."""

from __future__ import annotations

import pytest

from launchready.checks import cloudflare
from launchready.demo.cfapi import (
    ALL_PERMISSIONS,
    DNS_READ,
    SETTINGS_READ,
    WAF_READ,
    ZONE_READ,
    FakeToken,
)
from launchready.findings import Finding, Severity
from launchready.manifest import load_manifest
from tests.checks.support import check_context
from tests.cloudflare_area.conftest import CloudflareLab
from tests.cloudflare_area.zones import DOMAIN, TOKEN, clean_zone, flawed_zone


async def run_area(lab: CloudflareLab, zone_name: str = DOMAIN) -> list[Finding]:
    manifest = load_manifest(lab.manifest(zone_name))
    async with check_context(manifest) as ctx:
        return await cloudflare.run(ctx)


def by_id(found: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for item in found:
        grouped.setdefault(item.id, []).append(item)
    return grouped


async def test_the_clean_zone_has_no_finding(cloudflare_lab: CloudflareLab) -> None:
    assert await run_area(cloudflare_lab) == []
    assert {method for method, _ in cloudflare_lab.api.seen} == {"GET"}


async def test_the_flawed_zone_fires_every_problem_once(cloudflare_lab: CloudflareLab) -> None:
    cloudflare_lab.use(flawed_zone())
    found = by_id(await run_area(cloudflare_lab))
    assert set(found) == {
        "cloudflare.ssl-flexible",
        "cloudflare.record-not-proxied",
        "cloudflare.mail-proxied",
        "cloudflare.min-tls-old",
        "cloudflare.dev-mode-on",
        "cloudflare.security-off",
        "cloudflare.no-rate-limit-rule",
    }
    assert found["cloudflare.ssl-flexible"][0].severity is Severity.HIGH
    (exposed,) = found["cloudflare.record-not-proxied"]
    assert exposed.target == f"www.{DOMAIN}"
    assert exposed.evidence["points_at_origin"] is True
    assert {f.target for f in found["cloudflare.mail-proxied"]} == {
        f"mail.{DOMAIN}",
        f"smtp.{DOMAIN}",
    }
    assert {f.evidence["route"] for f in found["cloudflare.no-rate-limit-rule"]} == {
        "login",
        "chatbot",
    }
    assert {method for method, _ in cloudflare_lab.api.seen} == {"GET"}


@pytest.mark.parametrize(
    ("mode", "expected", "severity"),
    [
        ("off", "cloudflare.ssl-flexible", Severity.BLOCKER),
        ("flexible", "cloudflare.ssl-flexible", Severity.HIGH),
        ("full", "cloudflare.ssl-not-strict", Severity.MEDIUM),
        ("strict", None, None),
    ],
)
async def test_ssl_modes(
    cloudflare_lab: CloudflareLab, mode: str, expected: str | None, severity: Severity | None
) -> None:
    zone = clean_zone()
    zone.settings["ssl"] = mode
    cloudflare_lab.use(zone)
    found = await run_area(cloudflare_lab)
    assert [(f.id, f.severity) for f in found] == ([(expected, severity)] if expected else [])


async def test_records_on_the_third_page_are_read(cloudflare_lab: CloudflareLab) -> None:
    zone = clean_zone()
    filler = [
        {"type": "A", "name": f"h{n}.{DOMAIN}", "content": "104.16.2.1", "proxied": True}
        for n in range(240)
    ]
    www = next(r for r in zone.records if r["name"] == f"www.{DOMAIN}")
    zone.records.remove(www)
    zone.records[:] = filler + zone.records + [{**www, "proxied": False}]
    cloudflare_lab.use(zone)
    found = await run_area(cloudflare_lab)
    assert [(f.id, f.target) for f in found] == [("cloudflare.record-not-proxied", f"www.{DOMAIN}")]
    pages = [p for m, p in cloudflare_lab.api.seen if p.endswith("/dns_records")]
    assert len(pages) >= 3


async def test_an_expired_token_is_unreachable(cloudflare_lab: CloudflareLab) -> None:
    cloudflare_lab.use(clean_zone(), FakeToken(TOKEN, expired=True))
    (found,) = await run_area(cloudflare_lab)
    assert found.id == "cloudflare.unreachable"
    assert found.evidence["status"] == 401
    assert "rejects the token" in str(found.evidence["problem"])


@pytest.mark.parametrize("missing", [ZONE_READ, SETTINGS_READ, DNS_READ, WAF_READ])
async def test_a_missing_permission_is_named(cloudflare_lab: CloudflareLab, missing: str) -> None:
    cloudflare_lab.use(clean_zone(), FakeToken(TOKEN, permissions=ALL_PERMISSIONS - {missing}))
    (found,) = await run_area(cloudflare_lab)
    assert found.id == "cloudflare.unreachable"
    assert found.evidence["permission"] == missing
    assert found.evidence["status"] == 403


async def test_an_unknown_zone_is_unreachable(cloudflare_lab: CloudflareLab) -> None:
    (found,) = await run_area(cloudflare_lab, zone_name="other.test")
    assert found.id == "cloudflare.unreachable"
    assert "no zone named other.test" in str(found.evidence["problem"])


async def test_disabled_or_unrelated_rules_do_not_cover(cloudflare_lab: CloudflareLab) -> None:
    zone = clean_zone()
    assert zone.ratelimit_rules is not None
    zone.ratelimit_rules[0]["enabled"] = False
    zone.ratelimit_rules.append(
        {
            "action": "block",
            "description": "search",
            "enabled": True,
            "expression": 'http.request.uri.path eq "/search"',
        }
    )
    cloudflare_lab.use(zone)
    found = await run_area(cloudflare_lab)
    assert {(f.id, f.target) for f in found} == {
        ("cloudflare.no-rate-limit-rule", "/login"),
        ("cloudflare.no-rate-limit-rule", "/api/chat"),
    }
