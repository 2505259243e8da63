"""The dns area against the embedded demo store: every planted DNS flaw, and none when fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready.checks import dns as area
from launchready.checks.dns import takeover
from launchready.checks.dns.survey import Plan
from launchready.demo import FLAWS, Flaw
from launchready.findings import Finding, JSONValue, Severity
from launchready.manifest import load_manifest
from tests.checks.support import check_context

DNS_FLAWS = [flaw for flaw in FLAWS if flaw.area == "dns"]


async def audit(path: Path) -> tuple[list[Finding], list[dict[str, JSONValue]]]:
    async with check_context(load_manifest(path)) as ctx:
        found = await area.run(ctx)
        return found, ctx.deliverables["dns_map"]


@pytest.mark.parametrize("flaw", DNS_FLAWS, ids=lambda f: f.finding_id)
async def test_every_planted_dns_flaw_is_reported(flawed: Path, flaw: Flaw) -> None:
    found, _ = await audit(flawed)
    assert any(f.id == flaw.finding_id for f in found), [(f.id, f.target) for f in found]


async def test_the_flawed_store_reports_exactly_its_dns_flaws(flawed: Path) -> None:
    found, dns_map = await audit(flawed)
    assert sorted((f.id, f.target) for f in found) == sorted(
        (flaw.finding_id, flaw.where.split()[0]) for flaw in DNS_FLAWS
    )
    promo = next(e for e in dns_map if e["name"] == "promo.demo-candles.test")
    assert promo["status"] == "dangling"
    assert promo["roles"] == ["discovered"]


async def test_the_fixed_store_is_clean(fixed: Path) -> None:
    found, dns_map = await audit(fixed)
    assert [f.id for f in found if f.severity.at_least(Severity.MEDIUM)] == []
    assert found == []
    names = [e["name"] for e in dns_map]
    assert names[:4] == [
        "demo-candles.test",
        "www.demo-candles.test",
        "api.demo-candles.test",
        "chat.demo-candles.test",
    ]
    assert "staging.demo-candles.test" in names


async def test_the_flawed_home_page_links_the_dangling_promo_host(flawed: Path) -> None:
    manifest = load_manifest(flawed)
    async with check_context(manifest) as ctx:
        linked = await takeover.linked_hosts(ctx, Plan.of(manifest))
    assert "promo.demo-candles.test" in linked
