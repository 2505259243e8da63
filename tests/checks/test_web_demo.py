"""The web and edge areas against the embedded demo store: every planted flaw, no noise."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from launchready.checks import edge, web
from launchready.context import CheckContext
from launchready.demo.flaws import FLAWS
from launchready.findings import Finding, Severity
from launchready.manifest import load_manifest
from tests.checks.support import check_context

AREAS: dict[str, Callable[[CheckContext], Awaitable[list[Finding]]]] = {
    "web": web.run,
    "edge": edge.run,
}


async def audit(manifest_path: Path, area: str, *, probe: bool = False) -> list[Finding]:
    async with check_context(load_manifest(manifest_path)) as ctx:
        return await AREAS[area](dataclasses.replace(ctx, probe_rate_limits=probe))


@pytest.mark.parametrize("area", sorted(AREAS))
async def test_every_planted_flaw_is_found(flawed: Path, area: str) -> None:
    found = await audit(flawed, area, probe=True)
    planted = {f.finding_id for f in FLAWS if f.area == area}
    assert planted <= {f.id for f in found}


async def test_the_demo_findings_point_at_the_planted_places(flawed: Path) -> None:
    found = {f.id: f for f in await audit(flawed, "web")}
    assert found["web.mixed-content"].evidence["resources"] == [
        {"url": "http://www.demo-candles.test/static/img/banner.svg", "where": "<img src>"}
    ]
    assert found["web.cookie-insecure"].target == "https://www.demo-candles.test/cart"
    assert found["web.error-leak"].target == "https://api.demo-candles.test/webhooks/stripe"
    assert found["web.webhook-unsigned-accepted"].severity is Severity.HIGH
    edges = {f.id: f for f in await audit(flawed, "edge")}
    assert edges["edge.private-cached"].target == "https://www.demo-candles.test/cart"


@pytest.mark.parametrize("area", sorted(AREAS))
async def test_the_fixed_store_is_clean(fixed: Path, area: str) -> None:
    found = await audit(fixed, area)
    assert [f for f in found if f.severity.at_least(Severity.MEDIUM)] == []


async def test_the_opt_in_burst_meets_the_fixed_chatbot_limit(fixed: Path) -> None:
    """The fixed demo's chat endpoint answers 429 within the burst: the probe stays silent
    (and stops at that first 429)."""
    found = [f for f in await audit(fixed, "edge", probe=True) if f.id == "edge.no-rate-limit"]
    assert found == []


async def test_the_opt_in_burst_reports_the_flawed_chatbot(flawed: Path) -> None:
    found = [f for f in await audit(flawed, "edge", probe=True) if f.id == "edge.no-rate-limit"]
    assert [f.target for f in found] == ["https://chat.demo-candles.test/api/message"]
    assert found[0].evidence["requests"] == 30
