"""The terminal report: readable, complete, and inert against hostile evidence."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from launchready.findings import Report, sort_findings
from launchready.report.text import render

from .conftest import ERROR_REASON, SKIP_REASON

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def flat(text: str) -> str:
    """The output with wrapping undone, so a wrapped title still matches."""
    return " ".join(text.split())


def test_header_answers_can_we_launch(report: Report) -> None:
    out = render(report)
    head = out.split("Blocker (3)")[0]
    assert "launchready audit of shop.example" in head
    assert "Ready to launch: no" in head
    assert "blocker 3" in head
    assert "high 4" in head
    assert "info 1" in head
    assert "1.8 s" in head


def test_every_finding_is_shown_with_why_and_fix(report: Report) -> None:
    out = flat(render(report))
    for item in report.findings:
        assert item.id in out
        assert flat(item.title) in out
    detailed = [f for f in report.findings if f.severity.value in ("blocker", "high", "medium")]
    for item in detailed:
        assert flat(item.why) in out
        assert flat(item.fix) in out
    assert "Why it matters:" in out
    assert "cname: old-store.myshopify.com; answer: NXDOMAIN" in out


def test_risks_are_ordered_worst_first(report: Report) -> None:
    out = render(report)
    risks = out.split("48-hour launch sequence")[0]
    positions = [risks.index(f.id) for f in sort_findings(report.findings)]
    assert positions == sorted(positions)
    assert risks.index("Blocker (3)") < risks.index("High (4)") < risks.index("Medium (2)")
    assert risks.index("Medium (2)") < risks.index("Low and info (3)")


def test_skipped_and_errored_areas_are_shown_with_reasons(report: Report) -> None:
    out = flat(render(report))
    assert f"perf skipped: {SKIP_REASON}" in out
    assert f"chatbot error: {ERROR_REASON}" in out


def test_hostile_evidence_cannot_drive_the_terminal(report: Report) -> None:
    plain = render(report)
    assert "\x1b" not in plain
    assert "\\x1b[2J" in plain
    coloured = render(report, color=True)
    assert "\x1b[2J" not in coloured
    assert "<script>alert(1)</script>" in plain


def test_colour_only_when_asked(report: Report) -> None:
    assert not ANSI.search(render(report))
    coloured = render(report, color=True)
    assert ANSI.search(coloured)
    assert flat(ANSI.sub("", coloured)) == flat(render(report))


@pytest.mark.parametrize("width", [60, 100, 140])
def test_lines_fit_the_width(report: Report, width: int) -> None:
    lines = render(report, width=width).splitlines()
    assert max(len(line) for line in lines) <= width
    assert all(line == line.rstrip() for line in lines)


def test_long_evidence_values_are_shortened(report: Report) -> None:
    first = replace(report.findings[1], evidence={"body": "x" * 5000})
    out = render(replace(report, findings=(first,)))
    assert "x" * 5000 not in out.replace("\n", "").replace(" ", "")
    assert "…" in out


def test_empty_report_says_ready_and_keeps_the_plan(empty_report: Report) -> None:
    out = flat(render(empty_report))
    assert "Ready to launch: yes" in out
    assert "found nothing to fix" in out
    assert "Every selected area ran." in out
    assert "Hour 40 to 48: monitoring, handover notes, final validation" in out
    assert "Final validation" in out
