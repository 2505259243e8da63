"""The routing area against the embedded demo store: every planted routing flaw, and a
clean bill for the fixed store (nothing at medium or above, in fact nothing at all)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from launchready.checks import routing
from launchready.demo import FLAWS, Flaw
from launchready.findings import Finding, Severity
from launchready.manifest import load_manifest
from tests.checks.support import check_context

ROUTING_FLAWS = [flaw for flaw in FLAWS if flaw.area == "routing"]


async def audit(path: Path) -> tuple[list[Finding], dict[str, Any]]:
    async with check_context(load_manifest(path)) as ctx:
        found = await routing.run(ctx)
        return found, ctx.deliverables


@pytest.mark.parametrize("flaw", ROUTING_FLAWS, ids=lambda f: f.finding_id)
async def test_every_planted_routing_flaw_is_reported(flawed: Path, flaw: Flaw) -> None:
    found, _ = await audit(flawed)
    assert (flaw.finding_id, flaw.where) in {(f.id, f.target) for f in found}


async def test_the_flawed_store_reports_exactly_its_routing_flaws(flawed: Path) -> None:
    found, extras = await audit(flawed)
    assert sorted((f.id, f.target) for f in found) == sorted(
        (flaw.finding_id, flaw.where) for flaw in ROUTING_FLAWS
    )
    verdicts = {(r["kind"], r["source"]): r["verdict"] for r in extras["redirect_matrix"]}
    assert verdicts[("http", "http://demo-candles.test/")] == "chain"
    assert verdicts[("redirect", "https://www.demo-candles.test/old-shop")] == "temporary"
    assert "stripe-webhook" not in {t["route"] for t in extras["route_timings"]}


async def test_the_fixed_store_is_clean(fixed: Path) -> None:
    found, extras = await audit(fixed)
    assert [f.id for f in found if f.severity.at_least(Severity.MEDIUM)] == []
    assert found == []
    assert {r["verdict"] for r in extras["redirect_matrix"]} == {"ok"}
    assert all(t["status"] == 200 and t["error"] is None for t in extras["route_timings"])
