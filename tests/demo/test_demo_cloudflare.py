"""The demo's Cloudflare zone: served by the demo's stand-in of the API, the same records as
its nameserver, and audited to exactly its one planted flaw.

The API is a local fake (``launchready.demo.cfapi``), written from Cloudflare's published
API schema, because the real API cannot run here; the audit reads it through the official
SDK, as it would read Cloudflare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from launchready.checks import AUDIT_AREAS
from launchready.cloudflare.findings import protected_paths, web_hosts
from launchready.cloudflare.ratelimit import coverage
from launchready.demo.cftoken import TOKEN_VARIABLE
from launchready.findings import Report
from launchready.report import Format, render
from launchready.runner import AuditOptions, run_audit

from .cfflaws import cloudflare_get, zone_id

if TYPE_CHECKING:
    from .conftest import Probe

AREAS = [a for a in AUDIT_AREAS if a.name in ("cloudflare", "edge")]
"""The cloudflare area with the edge area it joins with."""


async def _audit(p: Probe) -> Report:
    return await run_audit(p.manifest, AuditOptions(timeout=5), areas=AREAS)


async def test_the_flawed_zone_has_exactly_its_planted_flaw(flawed: Probe) -> None:
    report = await _audit(flawed)
    attempt = next(c for c in report.checks if c.area == "cloudflare")
    assert attempt.status.value == "ran", attempt
    found = [f for f in report.findings if f.area == "cloudflare"]
    assert [(f.id, f.target) for f in found] == [("cloudflare.dev-mode-on", flawed.settings.domain)]
    zone = report.extras["cloudflare"]
    assert isinstance(zone, dict)
    assert zone["zone"] == "demo-candles.test"
    assert zone["settings"]["ssl"] == "strict"  # type: ignore[index, call-overload]


async def test_the_fixed_zone_is_clean(fixed: Probe) -> None:
    report = await _audit(fixed)
    assert [f.id for f in report.findings if f.area == "cloudflare"] == []
    assert next(c for c in report.checks if c.area == "cloudflare").status.value == "ran"


async def test_the_token_appears_in_no_report_format(flawed: Probe) -> None:
    token = flawed.store.environ[TOKEN_VARIABLE]
    assert flawed.manifest.cloudflare is not None and flawed.manifest.cloudflare.token == token
    report = await _audit(flawed)
    for fmt in Format:
        assert token not in render(report, fmt), fmt


async def test_the_audit_only_reads_the_zone(probe: Probe) -> None:
    api = probe.store.cloudflare
    assert api is not None
    before = len(api.seen)
    await _audit(probe)
    methods = {method for method, _ in api.seen[before:]}
    assert methods == {"GET"}


async def test_the_api_lists_the_records_the_demo_nameserver_serves(probe: Probe) -> None:
    records = await cloudflare_get(probe, f"/zones/{await zone_id(probe)}/dns_records")
    assert records and all(r["zone_name"] == "demo-candles.test" for r in records)
    for record in records:
        name, kind = record["name"], record["type"]
        answer = await probe.resolver.query(name, kind)
        assert answer.ok, (name, kind)
        served = {r.rstrip(".").removeprefix(f"{record.get('priority')} ") for r in answer.records}
        wanted = record["content"]
        assert wanted in served, (record, served)
    names = {r["name"] for r in records}
    assert {f"www.{probe.settings.domain}", f"api.{probe.settings.domain}"} <= names
    assert ("staging.demo-candles.test" in names) is not probe.settings.fixed


async def test_web_hosts_are_proxied_and_mail_is_not(probe: Probe) -> None:
    records = await cloudflare_get(probe, f"/zones/{await zone_id(probe)}/dns_records")
    proxied = {r["name"] for r in records if r["proxied"]}
    assert set(web_hosts(probe.manifest)) <= proxied
    assert all(not r["proxied"] for r in records if r["type"] not in ("A", "AAAA", "CNAME"))
    assert f"ns1.{probe.settings.domain}" not in proxied
    mx = [r for r in records if r["type"] == "MX"]
    assert mx and all(r["content"] not in proxied for r in mx)


async def test_the_rate_limit_rules_cover_the_chatbot_and_login(probe: Probe) -> None:
    ruleset = await cloudflare_get(
        probe, f"/zones/{await zone_id(probe)}/rulesets/phases/http_ratelimit/entrypoint"
    )
    rules = [coverage(rule["expression"]) for rule in ruleset["rules"] if rule["enabled"]]
    wanted = [(host, path) for _, host, path in protected_paths(probe.manifest)]
    wanted.append((f"www.{probe.settings.domain}", "/login"))
    assert ("chat.demo-candles.test", "/api/message") in wanted
    for host, path in wanted:
        assert any(rule.covers(host, path) for rule in rules), (host, path)
    assert not any(rule.covers(f"www.{probe.settings.domain}", "/") for rule in rules)
