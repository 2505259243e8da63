"""The tls area against the embedded demo store: its planted TLS flaws, and none when fixed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from launchready.checks import tls as area
from launchready.demo import FLAWS, Flaw
from launchready.findings import Finding, Severity
from launchready.manifest import load_manifest
from tests.checks.support import check_context

TLS_FLAWS = [flaw for flaw in FLAWS if flaw.area == "tls"]


async def audit(path: Path) -> tuple[list[Finding], list[dict[str, Any]]]:
    async with check_context(load_manifest(path)) as ctx:
        found = await area.run(ctx)
        return found, ctx.deliverables["tls"]


@pytest.mark.parametrize("flaw", TLS_FLAWS, ids=lambda f: f.finding_id)
async def test_every_planted_tls_flaw_is_reported(flawed: Path, flaw: Flaw) -> None:
    found, _ = await audit(flawed)
    assert (flaw.finding_id, flaw.where) in {(f.id, f.target) for f in found}, [
        (f.id, f.target) for f in found
    ]


async def test_the_flawed_chat_certificate_is_high_and_delivered(flawed: Path) -> None:
    found, delivered = await audit(flawed)
    expiring = [f for f in found if f.id == "tls.cert-expiring"]
    assert [f.target for f in expiring] == ["chat.demo-candles.test:443"]
    assert expiring[0].severity is Severity.HIGH
    chat = next(e for e in delivered if e["host"] == "chat.demo-candles.test")
    assert chat["ok"] is True and 9 <= chat["leaf"]["days_left"] <= 10
    assert chat["hsts"] is None


async def test_the_fixed_store_has_nothing_at_medium_or_above(fixed: Path) -> None:
    found, delivered = await audit(fixed)
    serious = [(f.id, f.target) for f in found if f.severity.rank <= Severity.MEDIUM.rank]
    assert serious == []
    assert all(e["ok"] and e["hsts"] for e in delivered), delivered
