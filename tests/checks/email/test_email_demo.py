"""The email area against the embedded demo store: every planted email flaw the audit can
see is reported, nothing else is, and the fixed store is clean."""

from __future__ import annotations

from pathlib import Path

from launchready.checks import email as area
from launchready.demo import FLAWS
from launchready.demo.flaws import AUDIT
from launchready.findings import Finding
from launchready.manifest import load_manifest
from tests.checks.support import check_context

AUDITED_EMAIL_FLAWS = {f.finding_id for f in FLAWS if f.area == "email" and f.found_by == AUDIT}


async def _audit(path: Path) -> list[Finding]:
    async with check_context(load_manifest(path)) as ctx:
        return await area.run(ctx)


async def test_the_flawed_store_reports_exactly_its_email_flaws(flawed: Path) -> None:
    found = await _audit(flawed)
    assert {f.id for f in found} == AUDITED_EMAIL_FLAWS


async def test_the_fixed_store_is_clean(fixed: Path) -> None:
    assert await _audit(fixed) == []
