"""The handover's Cloudflare line: the zone as the last audit found it (SSL mode, proxied
hosts, rate-limiting rules), short whatever the zone's size, escaped, absent without one."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from launchready.findings import AttemptStatus, CheckAttempt, JSONValue, Report, area_report
from launchready.handover.model import build_handover
from launchready.handover.render import html, markdown
from launchready.manifest import load_manifest
from launchready.report.markdown import md

STARTED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ZONE: dict[str, JSONValue] = {
    "zone": "shop.test",
    "settings": {"ssl": "strict", "development_mode": "off"},
    "proxied": ["api.shop.test", "chat.shop.test", "shop.test", "www.shop.test"],
    "dns_only": ["mail.shop.test"],
    "records": 9,
    "rate_limit_rules": [
        {
            "description": "Login attempts",
            "expression": '(http.request.uri.path eq "/login")',
            "enabled": True,
        },
        {
            "description": "Chatbot messages",
            "expression": '(http.host eq "chat.shop.test")',
            "enabled": True,
        },
    ],
}


def _report(zone: dict[str, JSONValue] | None) -> Report:
    extras: dict[str, JSONValue] = {"cloudflare": zone} if zone is not None else {}
    return area_report(
        "shop.test",
        CheckAttempt("cloudflare", AttemptStatus.RAN),
        [],
        started_at=STARTED,
        extras=extras,
    )


@pytest.fixture
def manifest(write_manifest: Any) -> Path:
    path: Path = write_manifest("""
        site: {domain: shop.test, name: Shop, cdn: cloudflare}
        routes: [{name: home, url: "https://www.shop.test/", health: true}]
    """)
    return path


def test_the_zone_as_found_is_one_line(manifest: Path) -> None:
    page = build_handover(load_manifest(manifest), _report(ZONE), STARTED)
    assert page.cloudflare is not None
    expected = (
        "Cloudflare zone shop.test: SSL strict; 4 proxied hosts (api.shop.test, "
        "chat.shop.test, shop.test and 1 more); 2 rate-limiting rules (Login attempts; "
        "Chatbot messages)"
    )
    assert page.cloudflare.text == expected
    lines = [line for line in markdown(page).splitlines() if "Cloudflare zone" in line]
    assert lines == [f"- {md(expected)}"]
    assert "4 proxied hosts" in lines[0] and "Chatbot messages)" in lines[0]
    page_html = html(page)
    assert (
        '<p id="cloudflare">Zone <code>shop.test</code>: SSL <code>strict</code>; 4 proxied hosts'
        in page_html
    )
    assert "2 rate-limiting rules (Login attempts; Chatbot messages)" in page_html
    assert "http.request.uri.path" not in page_html  # expressions stay in the audit report
    data = json.loads(json.dumps(page.to_json()))
    assert data["cloudflare"]["proxied_count"] == 4 and data["cloudflare"]["ssl"] == "strict"


def test_a_large_zone_is_counted_not_listed(manifest: Path) -> None:
    zone = dict(ZONE)
    zone["proxied"] = [f"h{n:03d}.shop.test" for n in range(400)]
    zone["rate_limit_rules"] = [
        {"description": f"rule {n} " + "x" * 200, "expression": "true", "enabled": n % 2 == 0}
        for n in range(25)
    ]
    found = build_handover(load_manifest(manifest), _report(zone), STARTED).cloudflare
    assert found is not None
    assert found.proxied == ("h000.shop.test", "h001.shop.test", "h002.shop.test")
    assert "400 proxied hosts (h000.shop.test, h001.shop.test, h002.shop.test and 397 more)" in (
        found.text
    )
    assert found.rules_count == 25 and len(found.rules) == 3
    assert found.rules[1].endswith("… (off)") and len(found.rules[0]) <= 48
    assert "; and 22 more)" in found.text
    assert len(found.text) < 400


def test_nothing_proxied_and_no_rule_are_said_plainly(manifest: Path) -> None:
    zone = {"zone": "shop.test", "settings": {}, "proxied": [], "rate_limit_rules": []}
    found = build_handover(load_manifest(manifest), _report(zone), STARTED).cloudflare
    assert found is not None
    assert found.text == (
        "Cloudflare zone shop.test: SSL mode not read; no proxied host; no rate-limiting rule"
    )


def test_markup_in_the_zone_is_escaped(manifest: Path) -> None:
    zone = dict(ZONE)
    zone["rate_limit_rules"] = [{"description": "<script>alert(1)</script>", "enabled": True}]
    page = build_handover(load_manifest(manifest), _report(zone), STARTED)
    assert "<script>alert(1)" not in html(page)
    assert "&lt;script&gt;" in html(page)
    assert "<script>alert(1)" not in markdown(page)


@pytest.mark.parametrize("report", [None, "no zone", "not a mapping"])
def test_without_the_zone_there_is_no_line(manifest: Path, report: str | None) -> None:
    audit = None
    if report == "no zone":
        audit = _report(None)
    elif report == "not a mapping":
        audit = _report(None)
        audit = dataclasses.replace(audit, extras={"cloudflare": "nonsense"})
    page = build_handover(load_manifest(manifest), audit, STARTED)
    assert page.cloudflare is None
    assert "Cloudflare zone" not in markdown(page)
    assert 'id="cloudflare"' not in html(page)
