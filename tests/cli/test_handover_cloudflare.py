"""The handover of the flawed demo shows its Cloudflare zone as the audit found it, and a
zone of any size keeps the page to one A4 sheet without shrinking the type (measured in
Chromium, as the handover's own layout test does)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.a4page import a4_page
from tests.conftest import CliRun


def test_the_demo_handover_shows_the_zone(cli: CliRun, flawed: Path, flawed_report: Path) -> None:
    result = cli("handover", "-m", flawed, "--from", flawed_report, "--format", "md")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "Cloudflare zone" in line]
    assert len(lines) == 1
    line = lines[0].replace("\\", "")
    assert line.startswith("- Cloudflare zone demo-candles.test: SSL strict; 4 proxied hosts (")
    assert "2 rate-limiting rules (Login attempts; Chatbot messages)" in line


def _big_zone_page(cli: CliRun, flawed: Path, flawed_report: Path, folder: Path) -> Path:
    """The flawed demo's handover, its audit's zone swapped for a large one."""
    document = json.loads(flawed_report.read_text())
    document["extras"]["cloudflare"] = {
        "zone": "demo-candles.test",
        "settings": {"ssl": "full"},
        "proxied": [f"a-rather-long-host-name-{n:04d}.demo-candles.test" for n in range(500)],
        "dns_only": [],
        "records": 500,
        "rate_limit_rules": [
            {"description": "Throttle " + "very " * 40 + f"busy path {n}", "enabled": True}
            for n in range(40)
        ],
    }
    report = folder / "big.json"
    report.write_text(json.dumps(document))
    page_file = folder / "handover.html"
    result = cli("handover", "-m", flawed, "--from", report, "-o", page_file)
    assert result.returncode == 0, result.stderr
    return page_file


async def test_a_large_zone_keeps_the_handover_one_page(
    cli: CliRun, flawed: Path, flawed_report: Path, tmp_path: Path
) -> None:
    page_file = _big_zone_page(cli, flawed, flawed_report, tmp_path)
    async with a4_page(page_file) as page:
        line = await page.locator("#cloudflare").inner_text()
        assert "500 proxied hosts" in line and "and 497 more" in line
        assert "40 rate-limiting rules" in line and "and 37 more" in line
