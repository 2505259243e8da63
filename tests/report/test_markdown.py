"""The Markdown report: GFM tables and lists, with nothing from the audit left live."""

from __future__ import annotations

from dataclasses import replace

from launchready.findings import Report, sort_findings
from launchready.report.markdown import link, md, render

from .conftest import SKIP_REASON


def test_summary_table_counts_every_severity(report: Report) -> None:
    out = render(report)
    assert "| Blocker | 3 |" in out
    assert "| High | 4 |" in out
    assert "| Medium | 2 |" in out
    assert "| Low | 2 |" in out
    assert "| Info | 1 |" in out
    assert "| **no** |" in out


def test_every_finding_is_listed_in_order(report: Report) -> None:
    out = render(report)
    risks = out.split("## Checks")[0]
    positions = [risks.index(md(f.id)) for f in sort_findings(report.findings)]
    assert positions == sorted(positions)
    for item in report.findings:
        assert md(item.title) in risks
    assert (
        risks.index("### Blocker (3)")
        < risks.index("### High (4)")
        < risks.index("### Low and info (3)")
    )


def test_hostile_evidence_is_escaped(report: Report) -> None:
    out = render(report)
    assert "<script>" not in out
    assert "<!--" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "\x1b" not in out
    assert "café naïve 日本" in out


def test_escaping_neutralises_markdown_syntax() -> None:
    assert md("a|b") == "a\\|b"
    assert md("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert md("*bold* _it_ `code` $x$") == "\\*bold\\* \\_it\\_ \\`code\\` \\$x\\$"
    assert md("line\nbreak") == "line break"
    assert md("a & <b>") == "a &amp; &lt;b&gt;"
    assert (
        link("https://www.rfc-editor.org/rfc/rfc7208") == "<https://www.rfc-editor.org/rfc/rfc7208>"
    )
    assert link("javascript:alert(1)") == "javascript:alert(1)"


def test_a_pipe_in_a_reason_cannot_break_the_checks_table(report: Report) -> None:
    attempt = replace(report.checks[-1], reason="bug: a|b|c")
    out = render(replace(report, checks=(*report.checks[:-1], attempt)))
    row = next(line for line in out.splitlines() if line.startswith("| chatbot"))
    assert row.count("|") - row.count("\\|") == 4


def test_skipped_and_errored_areas_are_listed(report: Report) -> None:
    out = render(report)
    assert f"| perf | skipped | {md(SKIP_REASON)} |" in out
    assert (
        "| chatbot | error | connectivity: chat endpoint refused &lt;port 8443&gt; &amp; closed |"
        in out
    )


def test_plan_section_puts_blockers_in_the_first_window(report: Report) -> None:
    out = render(report)
    plan = out.split("## 48-hour launch sequence")[1]
    first = plan.split("### Hour 6 to 18")[0]
    assert "### Hour 0 to 6: audit, current state, DNS ownership, blocker list" in first
    for finding_id in ("launch.checkout-untested", "dns.dangling-cname", "secrets.in-tree"):
        assert md(finding_id) in first
    assert "### After launch (3)" in plan


def test_empty_report(empty_report: Report) -> None:
    out = render(empty_report)
    assert "No findings" in out
    assert "Every selected area ran." in out
    assert "Final validation" in out
