"""The chaos table and chart in the human formats, from a report's ``extras["chaos"]``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from launchready.findings import AttemptStatus, CheckAttempt, Report, area_report
from launchready.report import Format, render
from launchready.report.chaosview import chaos_view


def result(
    target: str, status: int | None, ms: float, verdict: str, **extra: Any
) -> dict[str, Any]:
    return {
        "target": target,
        "status": status,
        "elapsed_ms": ms,
        "verdict": verdict,
        "error": None,
        **extra,
    }


DELIVERABLE: dict[str, Any] = {
    "base_url": "https://staging.shop.test",
    "cap_s": 30.0,
    "latency_s": 2.0,
    "jitter_s": 0.0,
    "faults": ["latency", "hang", "refuse"],
    "dependencies": [
        {
            "name": "llm",
            "listen": "127.0.0.1:8089",
            "upstream": "api.llm.test:443",
            "awaited": True,
            "cacheable": True,
            "targets": ["chatbot", "<script>alert(1)</script>"],
            "experiments": [
                {"fault": "baseline", "label": "baseline", "duration_ms": 40.0, "upstream": {},
                 "results": [result("chatbot", 200, 35.0, "ok"),
                             result("<script>alert(1)</script>", 500, 5.0, "error")]},
                {"fault": "cache", "label": "repeat (cache)", "duration_ms": 30.0, "upstream": {},
                 "results": [result("chatbot", 200, 30.0, "ok", reached=True)]},
                {"fault": "latency", "label": "latency 2s", "duration_ms": 2040.0, "upstream": {},
                 "results": [result("chatbot", 200, 2035.0, "ok")]},
                {"fault": "hang", "label": "hang", "duration_ms": 30000.0, "upstream": {},
                 "results": [result("chatbot", None, 30000.0, "no answer")]},
                {"fault": "refuse", "label": "refuse", "duration_ms": 3.0, "upstream": {},
                 "results": [result("chatbot", 503, 3.0, "error")]},
            ],
            "baseline_failures": [result("<script>alert(1)</script>", 500, 5.0, "error")],
        }
    ],
}  # fmt: skip


@pytest.fixture
def report() -> Report:
    return area_report(
        "shop.test",
        CheckAttempt("chaos", AttemptStatus.RAN, 32000),
        [],
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        extras={"chaos": DELIVERABLE},
        command="chaos",
    )


def test_the_view_is_a_route_by_fault_table(report: Report) -> None:
    view = chaos_view(report)
    assert view is not None
    (dep,) = view.dependencies
    assert dep.columns == ("baseline", "repeat (cache)", "latency 2s", "hang", "refuse")
    chatbot = dep.rows[0]
    assert [c.text for c in chatbot.cells] == [
        "200 · 0.04 s",
        "200 · 0.03 s (reached again)",
        "200 · 2.04 s",
        "no answer · 30.00 s",
        "503 · 0.00 s",
    ]
    assert [c.bad for c in chatbot.cells] == [False, True, False, True, True]
    assert dep.rows[1].baseline_failed and "already fails without any fault" in dep.notes[0]
    assert len(dep.bars) == 6  # five experiments of the chatbot, the baseline of the other
    tallest = max(dep.bars, key=lambda b: b.height)
    assert "hang" in tallest.title


def test_no_deliverable_no_section(report: Report) -> None:
    bare = area_report(
        "shop.test", CheckAttempt("chaos", AttemptStatus.RAN, 1), [], started_at=report.started_at
    )
    assert chaos_view(bare) is None
    assert "Chaos" not in render(bare, Format.MD)


def test_text_markdown_and_html_show_the_table(report: Report) -> None:
    text = render(report, Format.TEXT, width=160)
    assert "Chaos: how the store copes" in text and "no answer · 30.00 s" in text
    markdown = render(report, Format.MD)
    assert "| Route | baseline | repeat (cache) | latency 2s | hang | refuse |" in markdown
    assert "**no answer · 30.00 s**" in markdown
    html = render(report, Format.HTML)
    assert '<svg role="img" aria-label="llm: time to answer per route and fault"' in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "http://" not in html.split("<body", 1)[1].replace("http://www.w3.org/2000/svg", "")


def test_an_edited_report_does_not_break_the_view(report: Report) -> None:
    broken = area_report(
        "shop.test",
        CheckAttempt("chaos", AttemptStatus.RAN, 1),
        [],
        started_at=report.started_at,
        extras={
            "chaos": {
                "cap_s": "x",
                "dependencies": [{"experiments": [{"results": [7]}], "targets": [3]}, 5],
            }
        },
    )
    view = chaos_view(broken)
    assert view is not None and view.dependencies[0].rows == ()
    render(broken, Format.HTML)
    render(broken, Format.TEXT)
