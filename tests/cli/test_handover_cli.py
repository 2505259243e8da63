"""``launchready handover`` for real: the flawed demo with its last audit, and a manifest
that names nobody. One page as a PDF (counted with pypdf), Markdown with the open items in
bold, the risks blockers first, and never a secret."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf

from launchready.report import report_from_json
from tests.cli.a4page import a4_page
from tests.conftest import CliRun

SEVERITY_ORDER = ["blocker", "high", "medium"]


def test_the_demo_handover_is_one_pdf_page(
    cli: CliRun, flawed: Path, flawed_report: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handover.pdf"
    result = cli("handover", "-m", flawed, "--from", flawed_report, "-o", out, timeout=120)
    assert result.returncode == 0, result.stderr
    pages = pypdf.PdfReader(out).pages
    assert len(pages) == 1
    text = pages[0].extract_text()
    assert "Handover" in text and "When something breaks" in text.replace(
        "WHEN SOMETHING BREAKS", "When something breaks"
    )


def test_the_demo_handover_in_markdown(cli: CliRun, flawed: Path, flawed_report: Path) -> None:
    result = cli("handover", "-m", flawed, "--from", flawed_report, "--format", "md")
    assert result.returncode == 0, result.stderr
    page = result.stdout
    # The flawed demo names no owner for its monitoring: an open item, in bold.
    assert "| Monitoring and alerts | **open item** | **nobody named** |" in page
    assert "**Nobody named for: CDN / Cloudflare, Monitoring and alerts" in page
    for section in (
        "## Who owns what",
        "## Secrets",
        "## Deploy, roll back, verify",
        "## What runs in production",
        "## When something breaks: check first",
        "## Open risks from the last audit",
    ):
        assert section in page
    for scenario in ("Site down", "Emails in spam", "Checkout slow", "Chatbot misbehaving"):
        assert f"**{scenario}**" in page
    risks = [
        line
        for line in page.splitlines()
        if line.startswith("- **") and "`" in line and " more in the audit" not in line
    ]
    severities = [line.split("**")[1] for line in risks if line.split("**")[1] in SEVERITY_ORDER]
    assert severities and severities == sorted(severities, key=SEVERITY_ORDER.index)
    report = report_from_json(flawed_report.read_text())
    assert severities[0] == "blocker" and report.summary["blocker"] > 0


def test_a_manifest_that_names_nobody_lists_every_gap(cli: CliRun, tmp_path: Path) -> None:
    path = tmp_path / "launchready.yaml"
    path.write_text(
        'site: {domain: shop.test}\nroutes: [{name: home, url: "https://shop.test/"}]\n'
    )
    result = cli("handover", "-m", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert all(a["owner"] is None for a in page["accounts"])
    gaps = "\n".join(page["open_items"])
    for gap in ("registrar", "deploy.secrets_store", "deploy.rollback", "monitor.notify", "health"):
        assert gap in gaps
    assert page["risks"] == [] and page["report_at"] is None
    markdown = cli("handover", "-m", path, "--format", "md").stdout
    assert markdown.count("| **open item** | **nobody named** |") == 7
    assert "- Roll back (under 10 minutes): **open item, not written down**" in markdown
    pdf = tmp_path / "gaps.pdf"
    assert cli("handover", "-m", path, "-o", pdf, timeout=120).returncode == 0
    assert len(pypdf.PdfReader(pdf).pages) == 1


def test_a_report_that_is_not_one_is_exit_2(cli: CliRun, tmp_path: Path) -> None:
    path = tmp_path / "launchready.yaml"
    path.write_text("site: {domain: shop.test}\n")
    bad = tmp_path / "report.json"
    bad.write_text('{"tool": 1}')
    result = cli("handover", "-m", path, "--from", bad)
    assert result.returncode == 2
    assert f"--from {bad}" in result.stderr and "Traceback" not in result.stderr
    missing = cli("handover", "-m", path, "--from", tmp_path / "nope.json")
    assert missing.returncode == 2
    pdf_to_stdout = cli("handover", "-m", path, "--format", "pdf")
    assert pdf_to_stdout.returncode == 2 and "-o FILE.pdf" in pdf_to_stdout.stderr


async def test_the_handover_looks_right_in_chromium(
    cli: CliRun, flawed: Path, flawed_report: Path, tmp_path: Path
) -> None:
    page_file = tmp_path / "handover.html"
    result = cli("handover", "-m", flawed, "--from", flawed_report, "-o", page_file)
    assert result.returncode == 0, result.stderr
    async with a4_page(page_file) as page:
        shot = await page.screenshot(path=tmp_path / "handover.png", full_page=True)
        assert shot.startswith(b"\x89PNG")
        owners = await page.locator("#owners").bounding_box()
        first_scenario = await page.locator(".scenario").first.bounding_box()
        assert owners and first_scenario and owners["x"] < first_scenario["x"]  # two columns
        assert abs(owners["y"] - first_scenario["y"]) < 40
        assert await page.locator("#open-items").is_visible()
        colour = await page.locator("#owners tr[data-role='monitoring'] td").evaluate(
            "cell => getComputedStyle(cell).color"
        )
        assert colour == "rgb(179, 38, 30)"  # a missing owner is in the open-item red
        for section in ("#secrets", "#deploy", "#inventory", "#risks"):
            assert await page.locator(section).is_visible(), section
